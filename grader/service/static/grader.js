// Optional touches; every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // A verdict describes the value that was graded: once the value differs from it, fade it out.
  for (const input of document.querySelectorAll(".answer input[data-graded]")) {
    input.addEventListener("input", () => {
      input.closest(".answer").classList.toggle("is-edited", input.value !== input.dataset.graded);
    });
  }
  const form = document.querySelector("form[data-draft-url]");
  if (form) {
    const fields = [...form.querySelectorAll("input[data-key]")];
    // Enter moves to the next field (and from the last one to the submit button); it never submits.
    fields.forEach((input, n) => {
      input.addEventListener("keydown", (event) => {
        if (event.key !== "Enter" || event.isComposing) return;
        event.preventDefault();
        const next = fields[n + 1] || form.querySelector("button[value=review]");
        if (next) next.focus();
      });
    });
    // The draft is saved on the server a moment after the student stops typing.
    const status = document.getElementById("draft-status");
    let timer = null;
    let pending = false;
    const save = async () => {
      timer = null;
      pending = false;
      const answers = {};
      for (const input of fields) answers[input.dataset.key] = input.value;
      try {
        const response = await fetch(form.dataset.draftUrl, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ answers }),
          keepalive: true,
        });
        if (!response.ok) throw new Error(String(response.status));
        // Typed into while this save was on its way: that is not saved yet, and its own save follows.
        if (pending) return;
        const time = new Date().toLocaleTimeString();
        status.textContent = `${form.dataset.savedLabel} ${time}`;
        status.dataset.state = "saved";
      } catch {
        status.textContent = form.dataset.failedLabel;
        status.dataset.state = "failed";
        pending = true;
        timer = setTimeout(save, 5000);
      }
    };
    for (const input of fields) {
      input.addEventListener("input", () => {
        pending = true;
        status.dataset.state = "typing";
        clearTimeout(timer);
        timer = setTimeout(save, 600);
      });
    }
    // Following a link (the language switch, an earlier attempt) waits for the draft to be saved.
    document.addEventListener("click", async (event) => {
      const link = event.target.closest("a[href]");
      if (!pending || !link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey) return;
      event.preventDefault();
      clearTimeout(timer);
      await save();
      window.location.href = link.href;
    });
    // Leaving the page otherwise (a reload, closing the tab) sends what is still waiting.
    window.addEventListener("pagehide", () => {
      if (pending) {
        clearTimeout(timer);
        save();
      }
    });
  }
  // Times with a data-local-label also show the reader's own local time.
  for (const time of document.querySelectorAll("time[data-local-label]")) {
    const moment = new Date(time.getAttribute("datetime"));
    if (Number.isNaN(moment.getTime())) continue;
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const local = document.createElement("span");
    local.className = "local-time";
    local.textContent = ` (${time.dataset.localLabel}: ${moment.toLocaleString(document.documentElement.lang, {
      dateStyle: "medium",
      timeStyle: "short",
    })}, ${zone})`;
    time.after(local);
  }
  // A new set's time zone defaults to the instructor's browser zone, unless one was chosen.
  const zoneField = document.querySelector("select[data-browser-zone]");
  if (zoneField && zoneField.dataset.browserZone === "default") {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if ([...zoneField.options].some((option) => option.value === zone)) zoneField.value = zone;
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
  // A big course's analytics arrive after the page.
  const analytics = document.querySelector("[data-analytics]");
  if (analytics) {
    fetch(analytics.dataset.analytics, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        analytics.outerHTML = html;
      })
      .catch(() => {});
  }
});
