// handouts serve: small helpers, no build step. The pages work without them.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // After an action the page opens on its result, where a keyboard or screen reader user is taken.
  const result = document.getElementById("result");
  if (result) {
    result.focus();
  }
  // Choosing a handout from the list opens it, as the Choose button does.
  for (const select of document.querySelectorAll("select[data-choose]")) {
    select.addEventListener("change", () => {
      if (select.value) {
        select.form.requestSubmit();
      }
    });
  }
  followSaves();
});

// The editor: when a file of the handout changes the server says so (server-sent events),
// and the panel (findings and pages) is fetched again, one fetch at a time.
function followSaves() {
  const panel = document.getElementById("panel");
  if (!panel || !window.EventSource) {
    return;
  }
  const live = document.getElementById("live");
  let busy = false;
  let again = false;

  async function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        if (live) {
          live.textContent = "A file changed: checking and drawing again…";
        }
        const answer = await fetch(panel.dataset.panel, { credentials: "same-origin", cache: "no-store" });
        if (!answer.ok) {
          throw new Error("the server answered " + answer.status);
        }
        panel.innerHTML = await answer.text();
        if (live) {
          live.textContent = "Updated at " + new Date().toLocaleTimeString() + ".";
        }
      } while (again);
    } catch (error) {
      if (live) {
        live.textContent = "Could not update: " + error.message + ". Reload the page to try again.";
      }
    } finally {
      busy = false;
    }
  }

  const events = new EventSource(panel.dataset.events);
  events.addEventListener("change", refresh);
}
