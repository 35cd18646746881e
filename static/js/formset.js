// "添加成员": clone the empty member row from its <template>, renumbering __prefix__.
(function () {
  "use strict";
  const button = document.getElementById("add-member");
  if (!button) return;
  const prefix = button.dataset.prefix;
  const total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  const maxForms = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
  const template = document.getElementById("member-empty");
  const rows = document.getElementById("member-rows");
  button.addEventListener("click", function () {
    const index = parseInt(total.value, 10);
    if (maxForms && index >= parseInt(maxForms.value, 10)) return;
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    const added = rows.lastElementChild;
    const label = added.querySelector(".member-index");
    if (label) label.textContent = String(index + 1);
    total.value = String(index + 1);
    const first = added.querySelector("select, input:not([type=hidden])");
    if (first) first.focus();
  });
})();
