// The report page's player: a click on anything with a time (a transcript word, a checklist
// element's play button, the timeline) plays the take from there, and while it plays the
// word being said and the timeline's playhead follow it.
(() => {
  const audio = document.getElementById("audio");
  if (audio) {
    const timed = Array.from(document.querySelectorAll("#transcript [data-start]"));
    const timeline = document.querySelector("#timeline svg");
    const playhead = document.getElementById("playhead");
    const duration = Number(timeline ? timeline.dataset.duration : 0);

    const playFrom = (seconds) => {
      audio.currentTime = seconds;
      // A browser may refuse to play before the reader has touched the page; the player's
      // own controls still work then, from the time just set.
      audio.play().catch(() => {});
    };

    document.addEventListener("click", (event) => {
      const target = event.target.closest("[data-start]");
      if (target) {
        playFrom(Number(target.dataset.start));
      } else if (timeline && timeline.contains(event.target) && duration > 0) {
        const box = timeline.getBoundingClientRect();
        const plot = timeline.viewBox.baseVal;
        const x = ((event.clientX - box.left) / box.width) * plot.width;
        const left = Number(timeline.dataset.left);
        const right = Number(timeline.dataset.right);
        playFrom(Math.min(Math.max((x - left) / (right - left), 0), 1) * duration);
      }
    });

    let now = null;
    audio.addEventListener("timeupdate", () => {
      const t = audio.currentTime;
      const word = timed.find((w) => Number(w.dataset.start) <= t && t < Number(w.dataset.end));
      if (word !== now) {
        if (now) now.classList.remove("now");
        if (word) word.classList.add("now");
        now = word;
      }
      if (playhead && duration > 0) {
        const left = Number(timeline.dataset.left);
        const right = Number(timeline.dataset.right);
        const x = left + (Math.min(t, duration) / duration) * (right - left);
        playhead.setAttribute("x1", x);
        playhead.setAttribute("x2", x);
        playhead.removeAttribute("visibility");
      }
    });
  } else {
    document.querySelectorAll("button.play").forEach((button) => { button.disabled = true; });
  }
  // The browser test reads this: the script ran to its end without an error.
  document.documentElement.dataset.ready = "true";
})();
