// The coach page follows a growing answer: while the reader is at the bottom, every change to the
// thread keeps the newest text in view; once they scroll up, it stays put and a "Jump to latest"
// button appears (html[data-chat-behind], styled in theme.css) until they come back down.
(() => {
  const NEAR_BOTTOM_PX = 120;
  let pinned = true;
  const root = document.documentElement;
  const thread = () => document.getElementById("chat-messages");
  const atBottom = () => window.innerHeight + window.scrollY >= root.scrollHeight - NEAR_BOTTOM_PX;
  const mark = () => root.toggleAttribute("data-chat-behind", Boolean(thread()) && !pinned);
  const follow = () => {
    if (!thread()) return mark();
    if (pinned && !atBottom()) window.scrollTo(0, root.scrollHeight);
    mark();
  };
  window.addEventListener("scroll", () => { pinned = atBottom(); mark(); }, { passive: true });
  window.addEventListener("resize", follow);  // the on-screen keyboard opening
  new MutationObserver(follow).observe(root, { childList: true, subtree: true, characterData: true });
  window.cadenceJumpToLatest = () => {
    pinned = true;
    window.scrollTo({ top: root.scrollHeight, behavior: "smooth" });
    mark();
  };
})();
