// Optional touches; every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // A verdict describes the value that was graded: once the value is edited, fade it out.
  for (const input of document.querySelectorAll(".answer input[data-key]")) {
    const graded = input.value;
    input.addEventListener("input", () => {
      input.closest(".answer").classList.toggle("is-edited", input.value !== graded);
    });
  }
  // Access links: a button that copies the link beside it.
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copy);
      try {
        await navigator.clipboard.writeText(field.value);
        button.textContent = button.dataset.done;
      } catch {
        field.select();
      }
    });
  }
  // Deep linking: the signed answer goes back to the LMS by itself (the button stays as a fallback).
  const autosubmit = document.querySelector("form[data-autosubmit]");
  if (autosubmit) autosubmit.submit();
});
