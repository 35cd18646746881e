// 身份证号 checked as the field is left: the server says whether it is valid (hardship:id_number_check),
// so the rule and its message are the server's own. The message goes where the server's field error goes.
(function () {
  "use strict";
  const form = document.querySelector("form[data-id-check-url]");
  if (!form) return;
  const url = form.dataset.idCheckUrl;
  const token = form.querySelector("input[name=csrfmiddlewaretoken]");

  function feedback(input) {
    // crispy renders a server error as .invalid-feedback after the input: reuse it, never a second one.
    let box = input.parentElement.querySelector(".invalid-feedback");
    if (!box) {
      box = document.createElement("div");
      box.className = "invalid-feedback";
      input.insertAdjacentElement("afterend", box);
    }
    return box;
  }

  function hint(input) {
    let box = input.parentElement.querySelector(".id-check-hint");
    if (!box) {
      box = document.createElement("div");
      box.className = "form-text id-check-hint";
      box.setAttribute("aria-live", "polite");
      feedback(input).insertAdjacentElement("afterend", box);
    }
    return box;
  }

  function show(input, answer) {
    const box = feedback(input);
    if (answer.ok) {
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
      box.textContent = "";
      hint(input).textContent = answer.birth_date + " · " + answer.sex;
    } else {
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
      box.textContent = answer.message;
      hint(input).textContent = "";
    }
  }

  form.addEventListener("focusout", function (event) {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-id-check")) return;
    const value = input.value.trim();
    if (!value) {  // an empty row is not saved: nothing to say
      input.classList.remove("is-invalid");
      feedback(input).textContent = "";
      hint(input).textContent = "";
      return;
    }
    const body = new FormData();
    body.append("id_number", value);
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) { if (answer && input.value.trim() === value) show(input, answer); })
      .catch(function () { /* offline: the server checks on save */ });
  });
})();
