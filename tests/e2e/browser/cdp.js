// cdp.js: headless Chromium driven over the DevTools protocol on a pipe,
// for the browser tests (play.js, publish.js).
//
// No npm packages: Chromium runs with --remote-debugging-pipe, we write
// JSON messages ending in NUL to its fd 3 and read them from its fd 4, so
// nothing listens on any port.  The flags keep its traffic at home
// (BROWSER-TESTING.md); everything it writes goes under the test's dirs.
"use strict";

const { spawn, execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const CDP_TIMEOUT_MS = 15000;	// one DevTools command

const sleep = ms => new Promise(done => setTimeout(done, ms));

class Cdp {
	constructor(wr, rd) {
		this.wr = wr;
		this.next = 1;
		this.pending = new Map();
		this.listeners = [];
		this.buf = "";
		rd.setEncoding("utf8");
		rd.on("data", chunk => this.onData(chunk));
		rd.on("close", () => this.failAll(new Error("the browser closed the pipe")));
	}

	onData(chunk) {
		this.buf += chunk;
		let end;
		while ((end = this.buf.indexOf("\0")) >= 0) {
			const text = this.buf.slice(0, end);
			this.buf = this.buf.slice(end + 1);
			let msg;
			try {
				msg = JSON.parse(text);
			} catch (e) {
				continue;
			}
			if (msg.id && this.pending.has(msg.id)) {
				const p = this.pending.get(msg.id);
				this.pending.delete(msg.id);
				clearTimeout(p.timer);
				if (msg.error)
					p.reject(new Error(p.method + ": " + msg.error.message));
				else
					p.resolve(msg.result || {});
			} else if (msg.method) {
				for (const fn of this.listeners)
					fn(msg);
			}
		}
	}

	failAll(err) {
		for (const p of this.pending.values()) {
			clearTimeout(p.timer);
			p.reject(err);
		}
		this.pending.clear();
	}

	send(method, params = {}, sessionId = undefined) {
		const id = this.next++;
		const msg = { id, method, params };
		if (sessionId)
			msg.sessionId = sessionId;
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.pending.delete(id);
				reject(new Error(method + ": no answer in " + CDP_TIMEOUT_MS + " ms"));
			}, CDP_TIMEOUT_MS);
			this.pending.set(id, { resolve, reject, timer, method });
			this.wr.write(JSON.stringify(msg) + "\0");
		});
	}

	on(fn) {
		this.listeners.push(fn);
	}
}

// BROWSER-TESTING.md: these flags keep the browser's traffic at home.
// --disable-features is last-one-wins: one merged list, nothing else sets it.
function chromiumArgs(profile, extra) {
	const disabled = [
		"WebRtcHideLocalIpsWithMdns",	// no .local candidates
		"Translate", "MediaRouter", "OptimizationHints", "AutofillServerCommunication",
		"CalculateNativeWinOcclusion", "InterestFeedContentSuggestions",
	];
	return [
		"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--no-default-browser-check", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--disable-extensions",
		"--disable-default-apps", "--metrics-recording-only", "--mute-audio",
		"--password-store=basic", "--use-mock-keychain",
		"--autoplay-policy=no-user-gesture-required",
		// every name and address fails to resolve but the server's own
		"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
		// several tabs play at once: none of them may be throttled
		"--disable-background-timer-throttling", "--disable-renderer-backgrounding",
		"--disable-backgrounding-occluded-windows",
		"--disable-features=" + disabled.join(","),
		...extra,
		"--user-data-dir=" + profile,
		"--remote-debugging-pipe",
		"about:blank",
	];
}

// Chromium, its audio client and dconf write under $HOME, $TMPDIR and
// $XDG_RUNTIME_DIR: all of them go under home, which the script removes.
function browserEnv(home) {
	const dirs = { HOME: "home", XDG_CONFIG_HOME: "home/.config", XDG_CACHE_HOME: "home/.cache",
		       XDG_RUNTIME_DIR: "run", TMPDIR: "tmp" };
	const env = { ...process.env };
	for (const [k, d] of Object.entries(dirs)) {
		env[k] = path.join(home, d);
		fs.mkdirSync(env[k], { recursive: true, mode: 0o700 });
	}
	delete env.DBUS_SESSION_BUS_ADDRESS;
	return env;
}

// Starts Chromium: o.profile, o.home (dirs), o.chromiumLog, o.pidFile
// (files), o.args (more flags).  Returns { cdp, browser }; browser.exited
// turns true when it ends.
function launch(o) {
	const log = fs.openSync(o.chromiumLog, "a");
	const browser = spawn("/usr/bin/chromium", chromiumArgs(o.profile, o.args || []), {
		stdio: ["ignore", log, log, "pipe", "pipe"],
		env: browserEnv(o.home),
		detached: false,
	});
	fs.writeFileSync(o.pidFile, String(browser.pid) + "\n");
	browser.on("exit", () => { browser.exited = true; });
	return { cdp: new Cdp(browser.stdio[3], browser.stdio[4]), browser };
}

async function closeBrowser(b) {
	if (!b.browser || b.browser.exited)
		return;
	try {
		await Promise.race([b.cdp.send("Browser.close"), sleep(3000)]);
	} catch (e) { /* it may be gone already */ }
	for (let i = 0; i < 30 && !b.browser.exited; i++)
		await sleep(100);
	if (!b.browser.exited)
		b.browser.kill("SIGKILL");
}

function argText(a) {
	if (a.value !== undefined)
		return typeof a.value === "string" ? a.value : JSON.stringify(a.value);
	return a.description || a.type;
}

// A tab on url: its session; console messages go to the file descriptor
// consoleFd as "[when] label: message" (when(): the test's clock).
async function openTab(cdp, label, url, consoleFd, when) {
	const { targetId } = await cdp.send("Target.createTarget", { url: "about:blank" });
	const { sessionId } = await cdp.send("Target.attachToTarget", { targetId, flatten: true });
	cdp.on(msg => {
		if (msg.sessionId !== sessionId)
			return;
		let line = null;
		if (msg.method === "Runtime.consoleAPICalled")
			line = msg.params.type + ": " + msg.params.args.map(argText).join(" ");
		else if (msg.method === "Runtime.exceptionThrown")
			line = "exception: " + (msg.params.exceptionDetails.exception?.description ||
						msg.params.exceptionDetails.text);
		else if (msg.method === "Log.entryAdded")
			line = msg.params.entry.level + " (" + msg.params.entry.source + "): " +
				msg.params.entry.text + (msg.params.entry.url ? " " + msg.params.entry.url : "");
		if (line)
			fs.writeSync(consoleFd, `[${when()}] ${label}: ${line}\n`);
	});
	await cdp.send("Runtime.enable", {}, sessionId);
	await cdp.send("Log.enable", {}, sessionId);
	await cdp.send("Page.enable", {}, sessionId);
	const nav = await cdp.send("Page.navigate", { url }, sessionId);
	return { targetId, sessionId, navError: nav.errorText || null };
}

// Evaluates expr in the tab (promises awaited), returns its value by value.
async function evaluate(cdp, tab, expr) {
	const r = await cdp.send("Runtime.evaluate",
		{ expression: expr, awaitPromise: true, returnByValue: true }, tab.sessionId);
	if (r.exceptionDetails)
		throw new Error(r.exceptionDetails.exception?.description || r.exceptionDetails.text);
	return r.result.value;
}

// whepfan's answer to telemetry command cmd (EAL file prefix prefix).
function telemetry(prefix, cmd) {
	const out = execFileSync("dpdk-telemetry.py", ["-f", prefix],
		{ input: cmd + "\n", timeout: 10000, encoding: "utf8" });
	for (const line of out.trim().split("\n").reverse()) {
		try {
			const v = JSON.parse(line);
			if (v && v[cmd] !== undefined)
				return v[cmd];
		} catch (e) { /* banner */ }
	}
	throw new Error("no telemetry answer to " + cmd);
}

// A test's ok/FAIL lines and its count.
class Checks {
	constructor() {
		this.passed = 0;
		this.failed = 0;
	}

	check(name, cond, detail) {
		if (cond) {
			console.log("ok   " + name);
			this.passed++;
		} else {
			console.log("FAIL " + name + (detail ? ": " + detail : ""));
			this.failed++;
		}
		return cond;
	}
}

// A driver's command line: the options both drivers take (--port,
// --prefix, --profile, --home, --console, --chromium-log, --pid-file, each
// with a value) and at least one stream argument, each read by
// parseStream(arg, streams so far), which throws on a bad one.
function driverArgs(argv, parseStream) {
	const opt = { streams: [] };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a.startsWith("--"))
			opt[a.slice(2)] = argv[++i];
		else
			opt.streams.push(parseStream(a, opt.streams));
	}
	for (const k of ["port", "prefix", "profile", "home", "console", "chromium-log", "pid-file"])
		if (!opt[k])
			throw new Error("missing --" + k);
	if (!opt.streams.length)
		throw new Error("no streams");
	return opt;
}

// What a driver reports with: its checks, "  ..." lines, the time since
// it started, the console log (opened from opt.console).
function driverContext(opt) {
	const checks = new Checks();
	const t0 = Date.now();

	return {
		checks,
		check: checks.check.bind(checks),
		info: text => console.log("  " + text),
		secs: () => ((Date.now() - t0) / 1000).toFixed(1) + " s",
		consoleLog: fs.openSync(opt.console, "a"),
	};
}

module.exports = { launch, closeBrowser, openTab, evaluate, telemetry, sleep, Checks, driverArgs,
		   driverContext };
