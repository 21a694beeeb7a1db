#!/usr/bin/env node
// publish.js: headless Chromium publishes its fake camera and microphone to
// whepfan over WHIP, and plays it back over WHEP (issue 14).
//
// Driven by tests/e2e/test_browser.sh inside its private network namespace
// (cdp.js drives Chromium).  For every stream argument, one after another:
//   1. a tab opens http://127.0.0.1:PORT/<name>/publish (whepfan's publisher
//      page, window.wf) and publishes with the stream's publish token
//      (wf.publish(), as the page's form does): DTLS connected, video
//      frames encoded and sent;
//   2. a second tab opens the stream's player (/<name>/), which must decode
//      more than MIN_FRAMES video frames of the published size (and Opus
//      packets), while the publisher's stats show whepfan's receiver
//      reports arriving (remote-inbound-rtp);
//   3. the publisher's page is reloaded (its pagehide DELETEs the session)
//      and publishes again: the player, never reconnected (the same
//      session, state "playing"), decodes MIN_FRAMES more frames;
//   4. the viewer and the publisher end (DELETE of each Location, 200).
// Prints "ok   name" / "FAIL name: why" lines and "  ..." details.
//
// usage: node publish.js --port N --prefix EAL_PREFIX --profile DIR --home DIR
//                        --console FILE --chromium-log FILE --pid-file FILE
//                        STREAM:token=TOKEN[:audio][:cap=KBPS] ...
// (cap: the stream's max_bitrate_kbps, below Chromium's start rate: the
// publisher's target bitrate must come down to it, whepfan's REMB
// honoured)
"use strict";

const cdpjs = require("./cdp");
const { evaluate, sleep } = cdpjs;

const MIN_FRAMES = 30;
const STEP_TIMEOUT_MS = 25000;	// publishing, playing, resuming: each
const HARD_TIMEOUT_MS = 150000;	// the whole script

function parseStream(a) {
	const m = /^([A-Za-z0-9_-]+)((?::[a-z]+(?:=[A-Za-z0-9_-]+)?)*)$/.exec(a);
	if (!m)
		throw new Error("bad stream argument " + a);
	const st = { name: m[1], token: null, audio: false, cap: 0 };
	for (const o of m[2].split(":").slice(1)) {
		const [k, v] = o.split("=");
		if (k === "token" && v)
			st.token = v;
		else if (k === "audio" && v === undefined)
			st.audio = true;
		else if (k === "cap" && /^[0-9]+$/.test(v || ""))
			st.cap = +v;
		else
			throw new Error("bad stream option " + o);
	}
	return st;
}

const opt = cdpjs.driverArgs(process.argv.slice(2), parseStream);
const { checks, check, info, secs, consoleLog } = cdpjs.driverContext(opt);

// Either page's state (both have window.wf with state, error, session
// and stats()).
const STATE_EXPR = `(async () => {
	if (!window.wf || !wf.stats) return { loaded: false };
	return { loaded: true, state: wf.state, error: wf.error, session: wf.session,
		s: await wf.stats() };
})()`;

// Polls expr in tab until ok(value) or STEP_TIMEOUT_MS; the last value.
async function until(cdp, tab, expr, ok) {
	const deadline = Date.now() + STEP_TIMEOUT_MS;
	let v = {};
	for (;;) {
		try {
			v = await evaluate(cdp, tab, expr);
		} catch (e) {
			v = { loaded: false, error: e.message };
		}
		if (ok(v) || Date.now() > deadline)
			return v;
		await sleep(250);
	}
}

const sent = v => v.loaded && v.s.transport?.dtlsState === "connected" &&
	(v.s.video?.framesEncoded || 0) > 0 && (v.s.video?.packetsSent || 0) > 0;

async function publish(cdp, tab, st) {
	await until(cdp, tab, "!!(window.wf && wf.publish)", v => v === true);
	try {
		await evaluate(cdp, tab, `wf.publish(${JSON.stringify(st.token)}).then(() => true)`);
	} catch (e) {
		return { loaded: true, error: e.message, s: {} };
	}
	return until(cdp, tab, STATE_EXPR, sent);
}

function describePub(v) {
	const s = v.s || {}, vid = s.video || {}, aud = s.audio || {};
	return `state ${v.state}, error ${v.error}, dtls ${s.transport?.dtlsState}, ` +
	       `video ${vid.framesEncoded} frames ${vid.frameWidth}x${vid.frameHeight} ` +
	       `${vid.packetsSent} packets, nack ${vid.nackCount}, pli ${vid.pliCount}, ` +
	       `target ${vid.targetBitrate}; audio ${aud.packetsSent} packets; ` +
	       `reports ${JSON.stringify(s.reports)}`;
}

function describeView(v) {
	const s = v.s || {}, vid = s.video || {}, aud = s.audio || {};
	return `state ${v.state}, error ${v.error}, video ${vid.framesDecoded} frames ` +
	       `${vid.frameWidth}x${vid.frameHeight}, ${vid.packetsReceived} packets, ` +
	       `lost ${vid.packetsLost}, nack ${vid.nackCount}, pli ${vid.pliCount}; ` +
	       `audio ${aud.packetsReceived} packets`;
}

async function del(cdp, tab, token) {
	try {
		return await evaluate(cdp, tab, `(async () => {
			const h = ${JSON.stringify(token ? { Authorization: "Bearer " + token } : {})};
			const res = await fetch(wf.session, { method: "DELETE", headers: h });
			return { status: res.status, text: (await res.text()).trim() };
		})()`);
	} catch (e) {
		return { status: 0, text: e.message };
	}
}

async function oneStream(cdp, st) {
	const base = `http://127.0.0.1:${opt.port}/${st.name}/`;
	const name = st.name;

	// 1. publish
	const pub = await cdpjs.openTab(cdp, name + "_publisher", base + "publish", consoleLog, secs);
	let p = await publish(cdp, pub, st);
	check(`${name}_publisher_page_publishes_over_whip`, sent(p), describePub(p));
	info(`${name} publisher (${secs()}): ${describePub(p)}; session ${p.session}`);
	const width = p.s?.video?.frameWidth, height = p.s?.video?.frameHeight;

	// 2. play it
	const view = await cdpjs.openTab(cdp, name + "_viewer", base, consoleLog, secs);
	const playing = v => v.loaded && v.state === "playing" &&
		(v.s.video?.framesDecoded || 0) > MIN_FRAMES &&
		v.s.video.frameWidth === width && v.s.video.frameHeight === height &&
		(!st.audio || (v.s.audio?.packetsReceived || 0) > 0);
	let v = await until(cdp, view, STATE_EXPR, playing);
	check(`${name}_viewer_decodes_over_${MIN_FRAMES}_frames_of_the_published_${width}x${height}`,
	      playing(v), describeView(v));
	info(`${name} viewer (${secs()}): ${describeView(v)}`);
	p = await until(cdp, pub, STATE_EXPR, x => x.loaded && x.s.reports?.video > 0 &&
			(!st.audio || x.s.reports?.audio > 0));
	check(`${name}_publisher_gets_whepfans_receiver_reports`,
	      p.s?.reports?.video > 0 && (!st.audio || p.s?.reports?.audio > 0), describePub(p));
	const session = v.session;
	if (st.cap) {
		p = await until(cdp, pub, STATE_EXPR, x => x.loaded &&
				(x.s.video?.targetBitrate || Infinity) <= st.cap * 1000);
		check(`${name}_publisher_honours_whepfans_remb_of_${st.cap}_kbps`,
		      (p.s?.video?.targetBitrate || Infinity) <= st.cap * 1000, describePub(p));
	}

	// 3. the publisher reloads its page and publishes again
	const before = v.s?.video?.framesDecoded || 0;
	await cdp.send("Page.reload", {}, pub.sessionId);
	p = await publish(cdp, pub, st);
	check(`${name}_publisher_publishes_again_after_a_reload`, sent(p), describePub(p));
	v = await until(cdp, view, STATE_EXPR, x => x.loaded &&
			(x.s.video?.framesDecoded || 0) > before + MIN_FRAMES);
	check(`${name}_viewer_resumes_without_reconnecting`,
	      (v.s?.video?.framesDecoded || 0) > before + MIN_FRAMES && v.session === session &&
	      v.state === "playing", `${describeView(v)}; session ${v.session} (was ${session}), ` +
	      `${before} frames at the reload`);
	info(`${name} viewer after the publisher's return (${secs()}): ${describeView(v)}`);

	// 4. both end
	const rv = await del(cdp, view, null);
	check(`${name}_viewer_delete_answers_200`, rv.status === 200, `${rv.status} ${rv.text}`);
	await evaluate(cdp, view, "wf.pc && wf.pc.close(), true").catch(() => {});
	const rp = await del(cdp, pub, st.token);
	check(`${name}_publisher_delete_answers_200`, rp.status === 200, `${rp.status} ${rp.text}`);
	await evaluate(cdp, pub, "wf.session = null, wf.stop(), true").catch(() => {});
	await cdp.send("Target.closeTarget", { targetId: view.targetId }).catch(() => {});
	await cdp.send("Target.closeTarget", { targetId: pub.targetId }).catch(() => {});
}

async function main() {
	const b = cdpjs.launch({
		profile: opt.profile, home: opt.home, chromiumLog: opt["chromium-log"],
		pidFile: opt["pid-file"],
		// a test pattern and a beep as the camera and microphone, allowed
		// without asking
		args: ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"],
	});
	const hard = setTimeout(() => {
		check("publish_test_finishes_in_time", false, `over ${HARD_TIMEOUT_MS / 1000} s`);
		if (!b.browser.exited)
			b.browser.kill("SIGKILL");
		process.exit(1);
	}, HARD_TIMEOUT_MS);
	try {
		const ver = await b.cdp.send("Browser.getVersion");
		info(`${ver.product} (${secs()})`);
		for (const st of opt.streams)
			await oneStream(b.cdp, st);
		let tel;
		for (let i = 0; i < 25; i++) {	/* a DELETE ends its session at once */
			tel = cdpjs.telemetry(opt.prefix, "/whepfan/stats");
			if (tel.sessions === 0 && tel.viewers === 0)
				break;
			await sleep(200);
		}
		check("telemetry_sessions_back_to_0_after_publishers_and_viewers_end",
		      tel.sessions === 0 && tel.viewers === 0,
		      `sessions ${tel.sessions}, viewers ${tel.viewers}`);
	} catch (e) {
		check("publish_driver_runs_without_errors", false, e.stack || e.message);
	} finally {
		clearTimeout(hard);
		await cdpjs.closeBrowser(b);
	}
	info(`publish part: ${secs()}`);
	console.log(`# publish.js: ${checks.passed} passed, ${checks.failed} failed`);
	process.exit(checks.failed ? 1 : 0);
}

main();
