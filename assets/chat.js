// The coach page follows a growing answer: while the reader is at the bottom, every change to the
// thread keeps the newest text in view; once they scroll up themselves (wheel, touch or keys, not
// the page's own scrolling), it stays put and a "Jump to latest" button appears
// (html[data-chat-behind], styled in theme.css) until they come back down.
(() => {
  const NEAR_BOTTOM_PX = 120;
  const USER_SCROLL_MS = 1000;
  let pinned = true;
  let userScrollAt = 0;
  const root = document.documentElement;
  const thread = () => document.getElementById("chat-messages");
  const atBottom = () => window.innerHeight + window.scrollY >= root.scrollHeight - NEAR_BOTTOM_PX;
  const mark = () => root.toggleAttribute("data-chat-behind", Boolean(thread()) && !pinned);
  // pinned: all the way down (the sticky composer would cover the answer's last lines otherwise)
  const follow = () => {
    const gap = root.scrollHeight - (window.innerHeight + window.scrollY);
    if (thread() && pinned && gap > 1) window.scrollTo({ top: root.scrollHeight, behavior: "instant" });
    mark();
  };
  const byUser = () => { userScrollAt = Date.now(); };
  for (const name of ["wheel", "touchmove", "keydown"]) {
    window.addEventListener(name, byUser, { passive: true });
  }
  window.addEventListener("scroll", () => {
    if (atBottom()) pinned = true;
    else if (Date.now() - userScrollAt < USER_SCROLL_MS) pinned = false;
    mark();
  }, { passive: true });
  window.addEventListener("resize", follow);  // the on-screen keyboard opening
  new MutationObserver(follow).observe(root, { childList: true, subtree: true, characterData: true });
  window.cadenceJumpToLatest = () => {
    pinned = true;
    window.scrollTo({ top: root.scrollHeight, behavior: "smooth" });
    mark();
  };
})();
