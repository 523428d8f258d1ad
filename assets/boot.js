// Boot progress and boot failure, before and while Python starts.
//
// This is the only hand-written JavaScript of the viewer. It runs before PyScript so
// the user sees what is happening while the runtime loads, and it turns a failed
// start into a message with something to do, instead of a blank page. It also keeps
// the timings that scripts/bench_boot.py reads.
"use strict";

(function () {
  const STEPS = [
    // PyScript's progress messages, mapped to how far along the start is.
    ["Loading Pyodide", 15, "Loading the Python runtime"],
    ["Loading Storage", 40, "Preparing the runtime cache"],
    ["Loaded Storage", 45, "Loading numpy and pydicom"],
    ["Loading files", 75, "Loading the viewer"],
    ["Loaded files", 85, "Starting the viewer"],
  ];
  const START_TIMEOUT_MS = 60000;
  const times = { navigationStart: 0 };
  let finished = false;

  const byId = (id) => document.getElementById(id);

  function showStep(percent, text) {
    const bar = byId("boot-progress");
    const step = byId("boot-step");
    if (bar && percent > Number(bar.value)) bar.value = percent;
    if (step && text) step.textContent = text;
  }

  function fail(title, message, checks) {
    if (finished) return;
    finished = true;
    times.failed = performance.now();
    document.documentElement.dataset.boot = "failed";
    const panel = byId("boot-panel");
    if (!panel) return;
    panel.hidden = false;
    panel.classList.add("failed");
    byId("boot-title").textContent = title;
    byId("boot-step").textContent = message;
    byId("boot-progress").hidden = true;
    const help = byId("boot-help");
    help.replaceChildren();
    const list = document.createElement("ul");
    for (const check of checks || []) {
      const item = document.createElement("li");
      item.textContent = check;
      list.append(item);
    }
    help.append(list);
    help.hidden = false;
  }

  const RUNTIME_CHECKS = [
    "Reload the page.",
    "Serve the viewer with `python3 serve.py` from the project folder, so the files " +
      "under assets/vendor are found with the right types.",
    "Use a current Chromium, Chrome, Edge, Firefox or Safari with WebAssembly enabled.",
    "Technical details are in the browser's developer console.",
  ];

  // The app calls these from Python (app/browser/boot.py).
  window.zhivaBoot = {
    times,
    ready() {
      if (finished) return;
      finished = true;
      times.interactive = performance.now();
      document.documentElement.dataset.boot = "ready";
      byId("boot-panel").hidden = true;
    },
    fail(title, message, checks) {
      fail(title, message, checks && checks.length ? checks : RUNTIME_CHECKS);
    },
  };

  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.name === "first-contentful-paint") times.shellPainted = entry.startTime;
    }
  }).observe({ type: "paint", buffered: true });

  // A missing runtime file can leave Pyodide waiting forever without an error, so
  // watch the site's own responses (Resource Timing's responseStatus, where the
  // browser reports it) and fail at once with the file that is missing.
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const ownFile = entry.name.startsWith(location.origin);
      if (ownFile && entry.responseStatus >= 400 && !times.pythonReady) {
        fail("The viewer could not start",
          `The site did not serve ${new URL(entry.name).pathname} ` +
          `(HTTP ${entry.responseStatus}).`, RUNTIME_CHECKS);
      }
    }
  }).observe({ type: "resource", buffered: true });

  addEventListener("py:progress", (event) => {
    for (const [message, percent, text] of STEPS) {
      if (String(event.detail).startsWith(message)) showStep(percent, text);
    }
  });
  document.addEventListener("py:ready", () => {
    times.pythonReady = performance.now();
    showStep(90, "Starting the viewer");
  });
  document.addEventListener("py:done", () => {
    // The app starts its views asynchronously and marks itself ready from Python;
    // if that never happens, it failed in a way it could not report itself.
    setTimeout(() => {
      if (!finished) {
        fail("The viewer could not start", "Python started, but the app did not.",
          RUNTIME_CHECKS);
      }
    }, 20000);
  });
  addEventListener("error", (event) => {
    const target = event.target;
    if (target && (target.src || target.href)) {
      fail("The viewer could not start",
        `A file of the viewer could not be loaded: ${target.src || target.href}`,
        RUNTIME_CHECKS);
    }
  }, true);
  addEventListener("unhandledrejection", (event) => {
    const reason = String(event.reason && (event.reason.message || event.reason));
    if (!times.pythonReady) {
      fail("The viewer could not start", `The Python runtime failed to load: ${reason}`,
        RUNTIME_CHECKS);
    }
  });
  setTimeout(() => {
    if (!finished) {
      fail("The viewer is taking too long to start",
        `Python did not start within ${START_TIMEOUT_MS / 1000} seconds.`,
        RUNTIME_CHECKS);
    }
  }, START_TIMEOUT_MS);
})();
