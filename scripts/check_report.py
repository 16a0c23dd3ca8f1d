#!/usr/bin/env python3
"""Renders an HTML report in headless Chromium through the DevTools protocol (over
--remote-debugging-pipe: standard library only) and checks what a reader would meet:

  * no console errors, no uncaught exceptions, no failed loads (Log and Runtime domains);
  * nothing fetched from the network: the report is self-contained;
  * every internal link (href="#x") and every SVG reference (url(#x), href="#x") has its target;
  * no element id used twice;
  * every figure's SVG has a non-zero rendered size;

and saves a screenshot of the top of the page and one per section. Exit 0 when every check
passes, 1 with one line per problem otherwise, 2 on a usage or browser error.

    check_report.py REPORT.html SCREENSHOT_DIR [--browser PATH]
"""
import base64, fcntl, json, os, subprocess, sys, tempfile, time, pathlib

CHECKS = r"""
(() => {
  const problems = [];
  const ids = new Map();
  for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) || 0) + 1);
  for (const [id, n] of ids) if (n > 1) problems.push(`duplicate id "${id}" (${n} elements)`);
  for (const a of document.querySelectorAll('a[href^="#"]')) {
    const target = decodeURIComponent(a.getAttribute('href').slice(1));
    if (!document.getElementById(target)) problems.push(`broken internal link ${a.getAttribute('href')} ("${a.textContent.trim().slice(0, 60)}")`);
  }
  const referencing = ['clip-path', 'mask', 'fill', 'stroke', 'filter', 'marker-start', 'marker-mid', 'marker-end', 'href', 'xlink:href'];
  for (const el of document.querySelectorAll('svg *')) {
    for (const name of referencing) {
      const v = el.getAttribute(name);
      if (!v) continue;
      const m = v.match(/^url\(#([^)]+)\)$/) || (name.endsWith('href') && v.match(/^#(.+)$/));
      if (m && !document.getElementById(m[1])) problems.push(`SVG ${el.tagName} ${name}="${v}" points nowhere`);
    }
  }
  const figures = [...document.querySelectorAll('figure')];
  figures.forEach((f, i) => {
    const svg = f.querySelector('svg, img');
    const caption = (f.querySelector('figcaption') || {textContent: ''}).textContent.trim().slice(0, 60);
    if (!svg) { problems.push(`figure ${i + 1} ("${caption}") has no image`); return; }
    const r = svg.getBoundingClientRect();
    if (!(r.width > 0 && r.height > 0)) problems.push(`figure ${i + 1} ("${caption}") renders at ${r.width}x${r.height}`);
  });
  const sections = [...document.querySelectorAll('section')].map(s => {
    const r = s.getBoundingClientRect();
    return {id: s.id, title: (s.querySelector('h2') || {textContent: s.id}).textContent.trim(),
            x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height};
  });
  return {problems, sections, figures: figures.length, ids: ids.size,
          width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight};
})()
"""


class Browser:
    """Chromium with the DevTools protocol on fds 3 (commands) and 4 (replies), NUL-separated JSON."""

    def __init__(self, executable):
        self.profile = tempfile.mkdtemp(prefix="check-report-")
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()
        os.set_inheritable(to_browser_r, True)
        os.set_inheritable(from_browser_w, True)
        def wire():
            # the pipes may themselves sit on 3 or 4: move both out of the way first
            a, b = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10), fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)
        args = [executable, "--headless=new", "--remote-debugging-pipe", f"--user-data-dir={self.profile}",
                "--no-first-run", "--no-default-browser-check", "--disable-gpu", "--hide-scrollbars",
                "--allow-file-access-from-files", "--window-size=1100,900", "about:blank"]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to run its sandbox as root
        self.process = subprocess.Popen(args, preexec_fn=wire, pass_fds=(3, 4),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while time.time() < deadline:
            reply = self.receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)
        raise TimeoutError(f"{method}: no answer in {timeout} s")

    def receive(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.from_browser, 1 << 20)
            if not chunk:
                err = self.process.stderr.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"the browser closed the connection: {err}")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def wait_for(self, method, timeout=60):
        deadline = time.time() + timeout
        for i, e in enumerate(self.events):
            if e.get("method") == method:
                return self.events.pop(i)
        while time.time() < deadline:
            e = self.receive()
            if e.get("method") == method:
                return e
            self.events.append(e)
        raise TimeoutError(f"no {method} in {timeout} s")

    def close(self):
        try:
            self.send("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        subprocess.run(["rm", "-rf", self.profile])


def main(argv):
    browser_path = None
    if "--browser" in argv:
        i = argv.index("--browser")
        browser_path = argv[i + 1]
        del argv[i:i + 2]
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    report, shots = pathlib.Path(argv[0]).resolve(), pathlib.Path(argv[1])
    if not report.is_file():
        print(f"check-report: {report} does not exist", file=sys.stderr)
        return 2
    shots.mkdir(parents=True, exist_ok=True)
    for old in shots.glob("*.png"):
        old.unlink()
    browser = Browser(browser_path or "chromium")
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ["Page", "Runtime", "Log", "Network"]:
            browser.send(f"{domain}.enable", session=session)
        browser.events.clear()
        browser.send("Page.navigate", {"url": report.as_uri()}, session=session)
        browser.wait_for("Page.loadEventFired")
        time.sleep(0.3)  # late console messages
        page = browser.send("Runtime.evaluate", {"expression": CHECKS, "returnByValue": True}, session=session)["result"]["value"]
        problems = list(page["problems"])
        for e in browser.events:
            method, p = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
                problems.append(f"console {p['type']}: {text}")
            elif method == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                problems.append(f"uncaught exception: {d.get('exception', {}).get('description', d.get('text'))}")
            elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                problems.append(f"browser error: {p['entry'].get('text')} {p['entry'].get('url', '')}".strip())
            elif method == "Network.requestWillBeSent":
                url = p.get("request", {}).get("url", "")
                if not url.startswith(("file:", "data:", "about:")):
                    problems.append(f"fetches {url}: the report should be self-contained")
            elif method == "Network.loadingFailed":
                problems.append(f"failed to load a resource: {p.get('errorText')}")

        width = max(800, min(page["width"], 1600))
        browser.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session=session)
        def shoot(name, x, y, w, h):
            clip = {"x": x, "y": y, "width": w, "height": max(1, min(h, 4000)), "scale": 1}
            data = browser.send("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True}, session=session)["data"]
            (shots / name).write_bytes(base64.b64decode(data))
        shoot("00-top.png", 0, 0, width, 900)
        for i, s in enumerate(page["sections"], 1):
            if s["width"] > 0 and s["height"] > 0:
                slug = "".join(c if c.isalnum() else "-" for c in s["title"].lower().encode("ascii", "ignore").decode())
                slug = "-".join(filter(None, slug.split("-")))[:48] or s["id"]
                shoot(f"{i:02d}-{slug}.png", max(0, s["x"] - 8), max(0, s["y"] - 8), min(width, s["width"] + 16), s["height"] + 16)
    finally:
        browser.close()

    print(f"check-report: {report}: {len(page['sections'])} sections, {page['figures']} figures, {page['ids']} ids; "
          f"screenshots in {shots}")
    for p in problems:
        print(f"  FAIL {p}")
    print("check-report: " + ("PASS" if not problems else f"FAIL ({len(problems)} problems)"))
    return 1 if problems else 0


sys.exit(main(sys.argv[1:]))
