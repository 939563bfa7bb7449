// The procedure form: add and remove rows of its lists (cases, documents, channels, fee lines,
// sources, legal basis…). A list's <template data-row-template> holds a new row whose inputs are
// named with a placeholder index (__1__, __2__… by depth); adding a row puts the list's next
// index in its place. The server reads rows in the order of their indices and numbers them again,
// so a removed row may leave a gap. After an error the page scrolls to the list of errors.
(function () {
  "use strict";

  var form = document.querySelector("[data-kb-form]");
  if (!form) {
    return;
  }

  function ownRows(list) {
    return Array.prototype.filter.call(list.children, function (child) {
      return child.hasAttribute("data-row");
    });
  }

  function ownPart(rows, selector) {
    // The element of this list itself, not of a list nested in one of its rows.
    var found = null;
    Array.prototype.forEach.call(rows.children, function (child) {
      if (!found && child.matches(selector)) {
        found = child;
      }
    });
    return found;
  }

  function renumber(list) {
    ownRows(list).forEach(function (row, index) {
      var number = row.querySelector("legend [data-row-number]");
      if (number) {
        number.textContent = String(index + 1);
      }
    });
  }

  function addRow(rows) {
    var list = ownPart(rows, "[data-rows-list]");
    var template = ownPart(rows, "template[data-row-template]");
    if (!list || !template) {
      return;
    }
    var next = parseInt(rows.getAttribute("data-next") || "0", 10);
    rows.setAttribute("data-next", String(next + 1));
    var placeholder = rows.getAttribute("data-placeholder");
    var html = template.innerHTML.split(placeholder).join(String(next));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.querySelector("[data-row]");
    if (!row) {
      return;
    }
    list.appendChild(row);
    renumber(list);
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) {
      first.focus();
    }
  }

  function removeRow(row) {
    var list = row.parentElement;
    var rows = list ? list.closest("[data-rows]") : null;
    row.remove();
    if (list) {
      renumber(list);
    }
    var add = rows ? ownPart(rows, "[data-add-row]") : null;
    if (add) {
      add.focus();
    }
  }

  form.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    var add = target.closest("[data-add-row]");
    if (add && form.contains(add)) {
      event.preventDefault();
      addRow(add.closest("[data-rows]"));
      return;
    }
    var remove = target.closest("[data-remove-row]");
    if (remove && form.contains(remove)) {
      event.preventDefault();
      removeRow(remove.closest("[data-row]"));
    }
  });

  var summary = document.getElementById("kb-errors");
  if (summary) {
    summary.focus();
  }
})();
