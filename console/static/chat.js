// The chat page: the citizen's messages as they arrive (server-sent events), the reply box, the
// checklist insert, transfer and end. Text is put in with textContent only.
(function () {
  "use strict";
  var root = document.querySelector("[data-chat]");
  if (!root) {
    return;
  }
  var id = root.dataset.chat;
  var log = root.querySelector("[data-log]");
  var statusLine = root.querySelector("[data-status]");
  var stateLabel = root.querySelector("[data-state]");
  var who = { citizen: "Công dân", bot: "Trợ lý", helper: "Tình nguyện viên" };
  var base = "/chat/" + encodeURIComponent(id);
  var over = false;

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function append(message) {
    var li = document.createElement("li");
    li.className = "line from-" + message.role;
    var name = document.createElement("span");
    name.className = "who";
    name.textContent = who[message.role] || message.role;
    var text = document.createElement("span");
    text.className = "text";
    text.textContent = message.text;
    li.appendChild(name);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(text);
    log.appendChild(li);
    scrollDown();
  }

  // The chat is no longer this helper's: nothing can be sent from this page any more.
  function closeForms(message, state) {
    over = true;
    statusLine.textContent = message;
    if (state) {
      stateLabel.textContent = state;
    }
    root.querySelectorAll("form button, form textarea, form input, form select").forEach(function (el) {
      el.disabled = true;
    });
  }

  function post(path, body) {
    return window.consoleFetch(base + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (response.status === 401) {
        window.location.reload();  // logged out: the login page, then back here
        return { ok: false, error: "" };
      }
      return response.json().then(function (data) {
        return { ok: Boolean(data.ok), error: data.error || "", next: data.next };
      });
    });
  }

  function offline() {
    statusLine.textContent = "Không kết nối được máy chủ. Vui lòng thử lại.";
  }

  var stream = new EventSource(base + "/stream");
  stream.onopen = function () {
    root.dataset.live = "open";
  };
  stream.onmessage = function (event) {
    var data = JSON.parse(event.data);
    if (data.type === "message") {
      append(data.message);
    } else if (data.type === "ended") {
      stream.close();
      closeForms(data.outcome === "cancelled"
        ? "Công dân đã quay lại trợ lý tự động. Cuộc trò chuyện đã kết thúc."
        : "Cuộc trò chuyện đã kết thúc.", data.outcome === "cancelled" ? "Công dân đã quay lại trợ lý" : "Đã kết thúc");
    } else if (data.type === "transferred") {
      closeForms("Cuộc trò chuyện đã được chuyển cho " + data.helper + ".", null);
    }
  };
  scrollDown();

  var reply = root.querySelector("[data-reply]");
  if (!reply) {
    return;
  }
  var textarea = reply.querySelector("textarea");
  var send = reply.querySelector("button[type=submit]");

  reply.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = textarea.value.trim();
    if (!text || over) {
      return;
    }
    send.disabled = true;
    statusLine.textContent = "Đang gửi…";
    post("/reply", { text: text }).then(function (data) {
      if (data.ok) {
        textarea.value = "";
        statusLine.textContent = "Đã gửi.";
      } else {
        statusLine.textContent = data.error;
      }
    }).catch(function () {
      statusLine.textContent = "Không kết nối được máy chủ. Tin nhắn chưa gửi.";
    }).then(function () {
      send.disabled = over;
      textarea.focus();
    });
  });

  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      reply.requestSubmit();
    }
  });

  root.querySelector("[data-insert-checklist]").addEventListener("click", function () {
    var procedure = root.querySelector("[data-checklist-id]").value.trim();
    if (!procedure) {
      statusLine.textContent = "Nhập mã thủ tục (xem ở trang Tra cứu thủ tục).";
      return;
    }
    window.consoleFetch("/desk/p/" + encodeURIComponent(procedure) + "/checklist.txt")
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        var before = textarea.value.trim() ? textarea.value.trim() + "\n\n" : "";
        textarea.value = before + data.text;
        statusLine.textContent = "Đã chèn danh sách giấy tờ: " + data.title + ". Xem lại rồi bấm Gửi.";
        textarea.focus({ preventScroll: true });
        textarea.setSelectionRange(before.length, before.length);  // read from the start of what was put in
        if (!before) {
          textarea.scrollTop = 0;
        }
      })
      .catch(function () {
        statusLine.textContent = "Không tìm thấy thủ tục có mã này.";
      });
  });

  var transfer = root.querySelector("[data-transfer]");
  transfer.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!transfer.elements.to) {
      return;
    }
    post("/transfer", { to: transfer.elements.to.value }).then(function (data) {
      if (data.ok) {
        window.location.assign(data.next);
      } else if (data.error) {
        statusLine.textContent = data.error;
      }
    }).catch(offline);
  });

  var end = root.querySelector("[data-end]");
  var outcome = end.querySelector("[data-outcome]");
  var counterRow = end.querySelector("[data-counter]");
  var counter = counterRow.querySelector("input");

  function showCounter() {
    var toCounter = outcome.value === "sent_to_counter";
    counterRow.hidden = !toCounter;
    counter.required = toCounter;
  }
  outcome.addEventListener("change", showCounter);
  showCounter();

  end.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = { outcome: outcome.value };
    if (outcome.value === "sent_to_counter") {
      body.counter = counter.value.trim();
    }
    post("/end", body).then(function (data) {
      if (data.ok) {
        window.location.assign(data.next);
      } else if (data.error) {
        statusLine.textContent = data.error;
      }
    }).catch(offline);
  });
})();
