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
  // A regrade running in the background: follow its progress, show the new grades when done.
  const regrade = document.querySelector("[data-progress]");
  if (regrade) {
    const bar = regrade.querySelector("progress");
    const done = regrade.querySelector("[data-regrade-done]");
    const poll = async () => {
      try {
        const state = await (await fetch(regrade.dataset.progress, { credentials: "same-origin" })).json();
        bar.max = state.total;
        bar.value = state.total - state.remaining;
        done.textContent = String(state.total - state.remaining);
        if (state.remaining === 0) {
          window.location.replace(window.location.pathname + "#gradebook");
          return;
        }
      } catch {
        // A missed poll is retried below.
      }
      setTimeout(poll, 1500);
    };
    setTimeout(poll, 1500);
  }
});
