"""Headless Chromium driven over the DevTools protocol (CDP), for the HTML report tests.

Import it as ``browser.chromium_cdp`` (``tests/`` is on ``sys.path``); the fixtures that
start and stop the browser are in this folder's ``conftest.py``.

Only Debian's ``chromium`` package is used (``.ci/run`` installs it); nothing downloads a
browser. The page is opened from a ``file://`` URL and every network request the page makes
is recorded, so a test can prove the report is self-contained.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket  # websocket-client (dev dependency)

_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_STARTUP_SECONDS = 30.0
_COMMAND_SECONDS = 20.0

# The flags the project uses for every headless run: no sandbox (CI runs as root), no GPU,
# and nothing that talks to the network on its own (updates, sync, QUIC probes).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Containers often give /dev/shm a few megabytes; Chromium then crashes tabs.
    "--disable-dev-shm-usage",
)


def find_chromium() -> str | None:
    for name in _BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageEvents:
    """What the page reported while the test ran."""

    console_errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


class CdpError(RuntimeError):
    pass


class Page:
    """One tab, spoken to over its WebSocket: commands wait for their reply, events are kept."""

    def __init__(self, ws_url: str) -> None:
        self._ws = websocket.create_connection(ws_url, timeout=_COMMAND_SECONDS)
        self._ids = itertools.count(1)
        self.events = PageEvents()
        self._load_fired = False

    def close(self) -> None:
        self._ws.close()

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        self._ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        deadline = time.monotonic() + _COMMAND_SECONDS
        while time.monotonic() < deadline:
            message = json.loads(self._ws.recv())
            if message.get("id") == message_id:
                if "error" in message:
                    raise CdpError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self._record(message)
        raise CdpError(f"{method}: no reply within {_COMMAND_SECONDS} s")

    def _record(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        params = message.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
            texts = [str(a.get("value", a.get("description", ""))) for a in params["args"]]
            self.events.console_errors.append(" ".join(texts))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text", "")
            self.events.exceptions.append(str(text))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            self.events.console_errors.append(str(params["entry"].get("text")))
        elif method == "Network.requestWillBeSent":
            self.events.requests.append(str(params["request"]["url"]))
        elif method == "Page.loadEventFired":
            self._load_fired = True

    def open(self, url: str, *, javascript: bool = True, width: int = 1280,
             height: int = 2000) -> None:
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setScriptExecutionDisabled", value=not javascript)
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        self._load_fired = False
        self.send("Page.navigate", url=url)
        deadline = time.monotonic() + _COMMAND_SECONDS
        while not self._load_fired and time.monotonic() < deadline:
            self._record(json.loads(self._ws.recv()))
        if not self._load_fired:
            raise CdpError(f"{url} did not finish loading")
        self.settle()

    def settle(self) -> None:
        """Drain the events already queued (a round trip guarantees earlier ones arrived)."""
        self.send("Runtime.evaluate", expression="0")

    def evaluate(self, expression: str) -> Any:
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                          awaitPromise=True)
        if "exceptionDetails" in reply:
            raise CdpError(f"{expression!r} threw {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click at the centre of the element (not a synthetic JS click)."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        x, y = box
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                      clickCount=1)
        self.settle()

    def focus(self, selector: str) -> None:
        self.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")

    def type_text(self, text: str) -> None:
        """Typed through the input pipeline, so the page sees real ``input`` events."""
        self.send("Input.insertText", text=text)
        self.settle()

    def press_key(self, key: str, code: str, key_code: int, text: str = "") -> None:
        """A key press as the keyboard sends it (``text`` makes it a character key)."""
        down: dict[str, Any] = {"type": "keyDown" if text else "rawKeyDown", "key": key,
                                "code": code, "windowsVirtualKeyCode": key_code}
        if text:
            down["text"] = text
        self.send("Input.dispatchKeyEvent", **down)
        self.send("Input.dispatchKeyEvent", type="keyUp", key=key, code=code,
                  windowsVirtualKeyCode=key_code)
        self.settle()

    def screenshot(self, target: Path) -> None:
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=False)
        target.write_bytes(base64.b64decode(data["data"]))


class Browser:
    def __init__(self, binary: str, profile: Path) -> None:
        self._profile = profile
        self._process = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
             "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
             "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Its own process group: the renderers, zygote and crash handler it forks are
            # stopped with it, not left writing into the profile folder being removed.
            start_new_session=True,
        )
        self.port = self._wait_for_port()

    def _wait_for_port(self) -> int:
        # Chromium writes the port it picked to DevToolsActivePort once it listens.
        port_file = self._profile / "DevToolsActivePort"
        deadline = time.monotonic() + _STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise CdpError(f"chromium exited with {self._process.returncode}")
            if port_file.is_file():
                first_line = port_file.read_text().split("\n", 1)[0].strip()
                if first_line.isdigit():
                    return int(first_line)
            time.sleep(0.05)
        raise CdpError("chromium did not open its DevTools port")

    @contextlib.contextmanager
    def new_page(self) -> Iterator[Page]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/json/new?about:blank", method="PUT"
        )
        with urllib.request.urlopen(request, timeout=_COMMAND_SECONDS) as response:
            target = json.loads(response.read())
        page = Page(target["webSocketDebuggerUrl"])
        try:
            yield page
        finally:
            page.close()

    def close(self) -> None:
        group = self._process.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
            self._process.wait()
        # The children may outlive the main process by a moment: wait until none is left.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
