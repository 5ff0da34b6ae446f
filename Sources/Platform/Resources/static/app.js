// A little progressive enhancement; every page works without it.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  // The menu button on small screens.
  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // The company switcher submits on change (its button stays for keyboard and no-JS use).
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  // After a failed submission, focus goes to the error summary so screen readers announce it.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});
