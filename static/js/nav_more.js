// The main menu on one line: on a wide screen, the items that do not fit (a long English menu for
// centre staff or the admin on a 1366 px laptop) move, from the end, into the 「更多」 dropdown.
// Without this script the menu simply wraps; on a phone the whole menu is behind the toggler.
(function () {
  "use strict";
  const nav = document.querySelector("[data-testid=main-nav]");
  const more = document.getElementById("nav-more");
  if (!nav || !more) return;
  const bar = nav.closest(".navbar-collapse");
  const userNav = bar && bar.querySelector(".portal-user-nav");
  const toggler = document.querySelector(".portal-navbar .navbar-toggler");
  const menu = more.querySelector(".dropdown-menu");
  const moreLink = more.querySelector(".nav-link");
  const items = Array.from(nav.children).filter(function (li) { return li !== more; });

  function asNavLink(li) {
    const link = li.querySelector("a");
    link.classList.remove("dropdown-item");
    link.classList.add("nav-link");
    nav.insertBefore(li, more);
  }

  function asDropdownItem(li) {
    const link = li.querySelector("a");
    link.classList.remove("nav-link");
    link.classList.add("dropdown-item");
    menu.insertBefore(li, menu.firstChild);
  }

  const container = bar.parentElement;  // the navbar's .container-xl: the line the menu must stay within

  function overflowing() {
    const box = container.getBoundingClientRect();
    const limit = Math.min(box.right - parseFloat(getComputedStyle(container).paddingRight), window.innerWidth);
    return (userNav || nav).getBoundingClientRect().right > limit + 0.5;
  }

  function layout() {
    items.forEach(asNavLink);
    more.classList.add("d-none");
    moreLink.classList.remove("active");
    const collapsed = toggler && getComputedStyle(toggler).display !== "none";
    if (collapsed || !overflowing()) return;
    more.classList.remove("d-none");
    for (let i = items.length - 1; i > 0 && overflowing(); i -= 1) {
      if (items[i].querySelector(".active")) continue;  // the current page stays in sight
      asDropdownItem(items[i]);
    }
  }

  let pending = null;
  window.addEventListener("resize", function () {
    if (pending) cancelAnimationFrame(pending);
    pending = requestAnimationFrame(layout);
  });
  layout();
})();
