// Draws a BPMN diagram with bpmn-js's navigated viewer (drag to pan, Ctrl and scroll to zoom) and, on a case's
// page, marks the path it took (done) and its current and overdue steps. The element ids come from the
// container's data attributes; there is no inline script. The buttons (zoom in, zoom out, fit, full screen) are
// hidden in the page and shown once the diagram is drawn.
//
// The box takes the diagram's own height: the whole diagram when that is readable, otherwise a readable part
// around the current step, which the reader moves. bpmn.io's logo (which bpmn-js's licence asks to keep visible)
// sits in a strip under the canvas (lif.css), so it never covers an element.
(function () {
  "use strict";

  var PAD = 20;           // px around the diagram when it is fitted
  var READABLE = 0.6;     // below this scale the labels are too small to read
  var FOCUS_SCALE = 0.8;  // the scale of a long diagram shown around its current step
  var MIN_HEIGHT = 200;

  function ids(container, name) {
    return (container.getAttribute("data-" + name) || "").split(" ").filter(Boolean);
  }

  function mark(viewer, container) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    [["done", "lif-done"], ["active", "lif-active"], ["overdue", "lif-overdue"]].forEach(function (pair) {
      ids(container, pair[0]).forEach(function (id) {
        if (registry.get(id)) {
          canvas.addMarker(id, pair[1]);
        }
      });
    });
  }

  function canvasHeight(container) {
    var inner = container.querySelector(".djs-container");
    return inner ? inner.clientHeight : container.clientHeight;
  }

  // The scale at which the whole diagram fits the box's width (and, when given, its height).
  function fitScale(inner, width, height) {
    var scale = Math.min(1, (width - 2 * PAD) / Math.max(inner.width, 1));
    return height ? Math.min(scale, (height - 2 * PAD) / Math.max(inner.height, 1)) : scale;
  }

  // The whole diagram, centred, and the box's height cut to it (in full screen the screen decides the height).
  function fit(canvas, container) {
    var inner = canvas.viewbox().inner;
    if (!document.fullscreenElement) {
      var strip = container.clientHeight - canvasHeight(container);
      var wanted = inner.height * fitScale(inner, container.clientWidth) + 2 * PAD;
      container.style.height = Math.round(Math.max(MIN_HEIGHT, wanted) + strip) + "px";
      canvas.resized();
    }
    var width = container.clientWidth, height = canvasHeight(container);
    var scale = fitScale(inner, width, height);
    canvas.viewbox({ x: inner.x - (width / scale - inner.width) / 2, y: inner.y - (height / scale - inner.height) / 2,
                     width: width / scale, height: height / scale });
  }

  // The box's height for the diagram: the whole of it at the width's scale, or, when that is too small to read
  // and the page asks for readability (a case), a readable height, at most three fifths of the window.
  function sizeBox(canvas, container) {
    var inner = canvas.viewbox().inner;
    var strip = container.clientHeight - canvasHeight(container);
    var scale = fitScale(inner, container.clientWidth);
    var readable = container.getAttribute("data-whole") !== "true" && scale < READABLE;
    var wanted = inner.height * (readable ? FOCUS_SCALE : scale) + 2 * PAD;
    var limit = readable ? Math.max(MIN_HEIGHT, window.innerHeight * 0.6) : Infinity;
    container.style.height = Math.round(Math.max(MIN_HEIGHT, Math.min(wanted, limit)) + strip) + "px";
    canvas.resized();
    return readable;
  }

  // A long diagram at a readable scale, around the step that matters now (overdue, current, or the last done).
  function focus(canvas, registry, container) {
    var element = ids(container, "overdue").concat(ids(container, "active"), ids(container, "done").reverse())
      .map(function (id) { return registry.get(id); }).filter(Boolean)[0];
    var inner = canvas.viewbox().inner;
    var width = container.clientWidth / FOCUS_SCALE, height = canvasHeight(container) / FOCUS_SCALE;
    var x = element ? element.x + element.width / 2 - width / 2 : inner.x - PAD;
    // from the top of the diagram, lower only as far as the step needs to be in view
    var y = inner.height <= height ? inner.y - (height - inner.height) / 2 : inner.y - PAD;
    if (element && element.y + element.height + PAD > y + height) {
      y = element.y + element.height + PAD - height;
    }
    canvas.viewbox({ x: x, y: y, width: width, height: height });
  }

  function zoomBy(viewer, step) {
    var canvas = viewer.get("canvas");
    try {
      viewer.get("zoomScroll").stepZoom(step);
    } catch (e) {
      canvas.zoom(canvas.zoom() * (step > 0 ? 1.25 : 0.8));
    }
  }

  function fullScreen(frame, button) {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else {
      frame.requestFullscreen();
    }
  }

  function wire(viewer, container, frame) {
    var tools = frame && frame.querySelector(".lif-diagram-tools");
    if (!tools) {
      return;
    }
    var canvas = viewer.get("canvas");
    var screenButton = tools.querySelector("[data-diagram='full-screen']");
    if (!frame.requestFullscreen) {
      screenButton.remove();
    }
    tools.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-diagram]");
      if (!button) {
        return;
      }
      var action = button.getAttribute("data-diagram");
      if (action === "zoom-in") { zoomBy(viewer, 1); }
      if (action === "zoom-out") { zoomBy(viewer, -1); }
      if (action === "fit") { fit(canvas, container); }
      if (action === "full-screen") { fullScreen(frame, button); }
    });
    document.addEventListener("fullscreenchange", function () {
      var on = document.fullscreenElement === frame;
      if (on) {
        container.style.height = "";
      }
      frame.classList.toggle("lif-diagram-frame--full", on);
      screenButton.textContent = on ? "Exit full screen" : "Full screen";
      screenButton.setAttribute("aria-pressed", on ? "true" : "false");
      canvas.resized();
      fit(canvas, container);
    });
    tools.hidden = false;
    var help = frame.querySelector(".lif-diagram-help");
    if (help) {
      help.hidden = false;
    }
  }

  // Draws the BPMN at ``url`` in ``container`` with the navigated viewer, then ``then(viewer)``; a failure is kept
  // in the container's data-error. The diff page (diff.js) draws its two diagrams through it too.
  function load(container, url, then) {
    var Viewer = window.BpmnJS;
    if (!Viewer) {
      return;
    }
    var viewer = new Viewer({ container: container });
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("the diagram could not be loaded (" + response.status + ")");
        }
        return response.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var fallback = container.querySelector(".lif-diagram__fallback");
        if (fallback) {
          fallback.remove();
        }
        then(viewer);
        container.setAttribute("data-rendered", "true");
      })
      .catch(function (error) {
        container.setAttribute("data-error", String(error && error.message || error));
      });
  }

  function show(container) {
    load(container, container.getAttribute("data-bpmn-url"), function (viewer) {
      var canvas = viewer.get("canvas");
      mark(viewer, container);
      if (sizeBox(canvas, container)) {
        focus(canvas, viewer.get("elementRegistry"), container);
      } else {
        fit(canvas, container);
      }
      wire(viewer, container, container.closest(".lif-diagram-frame"));
    });
  }

  window.lifDiagram = { load: load };
  document.querySelectorAll(".lif-diagram[data-bpmn-url]").forEach(show);
})();
