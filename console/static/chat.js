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
  var who = { citizen: "Công dân", bot: "Trợ lý", helper: "Tình nguyện viên" };
  var base = "/chat/" + encodeURIComponent(id);

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
    li.scrollIntoView({ block: "end" });
  }

  function ended(outcome) {
    statusLine.textContent = outcome === "cancelled"
      ? "Công dân đã quay lại trợ lý tự động. Cuộc trò chuyện đã kết thúc."
      : "Cuộc trò chuyện đã kết thúc.";
    root.querySelectorAll("form button, form textarea, form input, form select").forEach(function (el) {
      el.disabled = true;
    });
  }

  function post(path, body) {
    return window.consoleFetch(base + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).then(function (response) { return response.json(); });
  }

  var stream = new EventSource(base + "/stream");
  stream.onmessage = function (event) {
    var data = JSON.parse(event.data);
    if (data.type === "message") {
      append(data.message);
    } else if (data.type === "ended") {
      ended(data.outcome);
      stream.close();
    } else if (data.type === "transferred") {
      statusLine.textContent = "Cuộc trò chuyện đã được chuyển cho " + data.helper + ".";
    }
  };

  var reply = root.querySelector("[data-reply]");
  if (!reply) {
    return;
  }
  var textarea = reply.querySelector("textarea");
  reply.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = textarea.value.trim();
    if (!text) {
      return;
    }
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
    });
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
        textarea.value = (textarea.value ? textarea.value + "\n\n" : "") + data.text;
        textarea.focus();
      })
      .catch(function () {
        statusLine.textContent = "Không tìm thấy thủ tục này.";
      });
  });

  root.querySelector("[data-transfer]").addEventListener("submit", function (event) {
    event.preventDefault();
    post("/transfer", { to: event.target.to.value }).then(function (data) {
      if (data.ok) {
        window.location.assign(data.next);
      } else {
        statusLine.textContent = data.error;
      }
    });
  });

  root.querySelector("[data-end]").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    post("/end", { outcome: form.outcome.value, counter: form.counter.value }).then(function (data) {
      if (data.ok) {
        window.location.assign(data.next);
      } else {
        statusLine.textContent = data.error;
      }
    });
  });
})();
