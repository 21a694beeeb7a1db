#!/usr/bin/env node
// play.js: headless Chromium plays whepfan streams through WHEP (issue 5).
//
// Driven by tests/e2e/test_browser.sh inside a private network namespace.
// No npm packages: Chromium is driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe: we write JSON messages ending in NUL to its fd 3
// and read them from its fd 4), so nothing listens on any port.
//
// For every stream argument one tab opens http://127.0.0.1:PORT/<name>/
// (whepfan's player page, window.wf), and all play at once.  Per tab, with
// wf.stats() (getStats()):
//   - DTLS connected with an SRTP cipher, more than MIN_FRAMES video frames
//     decoded at the source's size (getStats() and <video>), the player in
//     state "playing", Opus packets where the stream has audio;
//   - it keeps decoding (>= 15 fps over KEEP_MS), and ICE selected
//     whepfan's candidate (the offer has none: peer-reflexive, ICE-lite).
// Then the sessions end one at a time, each in its own way (end=):
//   delete  a DELETE of the session's Location fetched from the page (200),
//           before the peer connection closes;
//   close   pc.close() alone: the browser's DTLS close_notify must end it;
//   leave   leaving the page: the player's pagehide handler (keepalive
//           DELETE with the token, then pc.close()); UDP to whepfan's port
//           is refused meanwhile, so only the DELETE can end the session;
// and telemetry (dpdk-telemetry.py, /whepfan/stats) must show "sessions" and
// "viewers" drop by one each time, to 0.
// Prints "ok   name" / "FAIL name: why" lines and "  ..." details; the shell
// script counts them.  Browser console messages go to --console FILE.
//
// usage: node play.js --port N --prefix EAL_PREFIX --profile DIR --home DIR
//                     --console FILE --chromium-log FILE --pid-file FILE
//                     STREAM:WxH[:audio][:token=TOKEN][:end=delete|close|leave] ...
// (a token: the page is opened with ?token=, as the player expects; end:
// how the session ends, in the order given: a DELETE fetched from the page,
// pc.close() alone (the DTLS close_notify must end it), or leaving the page)
"use strict";

const { execFileSync } = require("child_process");
const cdpjs = require("./cdp");
const { closeBrowser, evaluate, sleep } = cdpjs;

const MIN_FRAMES = 30;		// the brief: framesDecoded > 30
const PLAY_TIMEOUT_MS = 25000;	// all tabs decoding, from navigation
const END_TIMEOUT_MS = 5000;	// telemetry shows a session gone
const HARD_TIMEOUT_MS = 75000;	// the whole script
const KEEP_MS = 3000;		// how long all play on after the first frames
const SERVER_CANDIDATE = "198.18.0.1:8189";	// whepfan's port, webrtc.udp_port

// ---- arguments -------------------------------------------------------------

function parseStream(a, streams) {
	const m = /^([A-Za-z0-9_-]+):(\d+)x(\d+)((?::[a-z]+(?:=[A-Za-z0-9_-]+)?)*)$/.exec(a);
	if (!m)
		throw new Error("bad stream argument " + a);
	const st = { name: m[1], width: +m[2], height: +m[3], audio: false, token: null,
		     end: "delete" };
	for (const o of m[4].split(":").slice(1)) {
		const [k, v] = o.split("=");
		if (k === "audio" && v === undefined)
			st.audio = true;
		else if (k === "token" && v)
			st.token = v;
		else if (k === "end" && ["delete", "close", "leave"].includes(v))
			st.end = v;
		else
			throw new Error("bad stream option " + o);
	}
	const same = streams.filter(x => x.name === st.name).length;
	st.label = same ? `${st.name}_viewer${same + 1}` : st.name;
	return st;
}

const opt = cdpjs.driverArgs(process.argv.slice(2), parseStream);
const { checks, check, info, secs, consoleLog } = cdpjs.driverContext(opt);

// ---- telemetry ------------------------------------------------------------------

const telemetry = cmd => cdpjs.telemetry(opt.prefix, cmd);

// Refuses (on) or allows again (off) UDP from this namespace to whepfan's
// WebRTC port: a policy rule ahead of the routes (ip-rule(8)).
function blockWebrtc(on) {
	const port = SERVER_CANDIDATE.split(":")[1];
	execFileSync("ip", ["rule", on ? "add" : "del", "ipproto", "udp", "dport", port, "prohibit"],
		     { timeout: 5000 });
}

// Polls /whepfan/stats until sessions and viewers are both `want`.
async function waitSessions(want) {
	const deadline = Date.now() + END_TIMEOUT_MS;
	let st;
	for (;;) {
		st = telemetry("/whepfan/stats");
		if ((st.sessions === want && st.viewers === want) || Date.now() > deadline)
			return st;
		await sleep(200);
	}
}

// ---- the test -----------------------------------------------------------------

const STATE_EXPR = `(async () => {
	if (!window.wf) return { loaded: false };
	const s = await wf.stats();
	return { loaded: true, state: wf.state, error: wf.error, session: wf.session, s,
		quality: (() => { const q = document.getElementById("video").getVideoPlaybackQuality();
			return { total: q.totalVideoFrames, dropped: q.droppedVideoFrames }; })(),
		videoWidth: document.getElementById("video").videoWidth,
		videoHeight: document.getElementById("video").videoHeight };
})()`;

// The offer's candidates and the nominated pair (whepfan is ICE-lite: the
// browser's address is learned from its checks, peer-reflexive).
const ICE_EXPR = `(async () => {
	const out = { offerCandidates: (wf.pc.localDescription.sdp.match(/^a=candidate:/mg) || []).length };
	const r = await wf.pc.getStats();
	r.forEach(s => {
		if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded") {
			const l = r.get(s.localCandidateId), m = r.get(s.remoteCandidateId);
			out.local = l && (l.candidateType + " " + l.address + ":" + l.port);
			out.remote = m && (m.address + ":" + m.port);
			out.remoteType = m && m.candidateType;
			out.rtt = s.currentRoundTripTime;
		}
	});
	return out;
})()`;

function good(st, stream) {
	const v = st.s && st.s.video;
	return st.loaded && st.state === "playing" && v && v.framesDecoded > MIN_FRAMES &&
		v.frameWidth === stream.width && v.frameHeight === stream.height &&
		(!stream.audio || (st.s.audio && st.s.audio.packetsReceived > 0));
}

async function playAll(cdp, tabs) {
	const deadline = Date.now() + PLAY_TIMEOUT_MS;
	for (;;) {
		let all = true;
		for (const t of tabs) {
			if (t.good)
				continue;
			try {
				t.st = await evaluate(cdp, t.tab, STATE_EXPR);
			} catch (e) {
				t.st = { loaded: false, error: e.message };
			}
			if (good(t.st, t.stream)) {
				t.good = true;
				t.goodAt = Date.now();
			} else {
				all = false;
			}
			if (!t.connectedAt && t.st.s && t.st.s.transport &&
			    t.st.s.transport.dtlsState === "connected")
				t.connectedAt = Date.now();
		}
		if (all || Date.now() > deadline)
			return;
		await sleep(250);
	}
}

function report(t) {
	const st = t.st || {};
	const v = (st.s && st.s.video) || {};
	const a = (st.s && st.s.audio) || {};
	const tr = (st.s && st.s.transport) || {};
	const name = t.stream.label;
	check(`${name}_player_page_loads_with_window_wf`, st.loaded && !t.tab.navError,
	      t.tab.navError || st.error);
	check(`${name}_dtls_connects_with_an_srtp_cipher`,
	      tr.dtlsState === "connected" && !!tr.srtpCipher,
	      `dtlsState ${tr.dtlsState}, srtpCipher ${tr.srtpCipher}`);
	check(`${name}_video_decodes_more_than_${MIN_FRAMES}_frames`, v.framesDecoded > MIN_FRAMES,
	      `framesDecoded ${v.framesDecoded}, packetsReceived ${v.packetsReceived}, state ${st.state}, error ${st.error}`);
	check(`${name}_frame_size_is_the_sources_${t.stream.width}x${t.stream.height}`,
	      v.frameWidth === t.stream.width && v.frameHeight === t.stream.height &&
	      st.videoWidth === t.stream.width && st.videoHeight === t.stream.height,
	      `getStats ${v.frameWidth}x${v.frameHeight}, <video> ${st.videoWidth}x${st.videoHeight}`);
	check(`${name}_player_state_is_playing`, st.state === "playing",
	      `state ${st.state}, error ${st.error}`);
	if (t.stream.audio)
		check(`${name}_opus_audio_packets_arrive`, a.packetsReceived > 0,
		      `audio ${JSON.stringify(a)}`);
	info(`${name}: ${v.framesDecoded} frames ${v.frameWidth}x${v.frameHeight}, ` +
	     `${v.packetsReceived} packets, lost ${v.packetsLost}, nack ${v.nackCount}, ` +
	     `pli ${v.pliCount}; ${tr.srtpCipher}; <video> ${st.quality && st.quality.total} frames` +
	     (t.stream.audio ? `; audio ${a.packetsReceived} packets` : "") +
	     (t.connectedAt ? `; DTLS connected ${((t.connectedAt - t.navAt) / 1000).toFixed(1)} s` : "") +
	     (t.goodAt ? `, ${MIN_FRAMES} frames ${((t.goodAt - t.navAt) / 1000).toFixed(1)} s after navigation` : ""));
}

async function main() {
	const b = cdpjs.launch({ profile: opt.profile, home: opt.home,
				 chromiumLog: opt["chromium-log"], pidFile: opt["pid-file"] });
	const { cdp, browser } = b;
	const hard = setTimeout(() => {
		check("browser_test_finishes_in_time", false, `over ${HARD_TIMEOUT_MS / 1000} s`);
		if (browser && !browser.exited)
			browser.kill("SIGKILL");
		process.exit(1);
	}, HARD_TIMEOUT_MS);
	try {
		const ver = await cdp.send("Browser.getVersion");
		info(`${ver.product} (${secs()})`);
		const tabs = [];
		for (const stream of opt.streams) {
			const url = `http://127.0.0.1:${opt.port}/${stream.name}/` +
				(stream.token ? "?token=" + stream.token : "");
			const t = { stream, navAt: Date.now() };
			t.tab = await cdpjs.openTab(cdp, stream.label, url, consoleLog, secs);
			tabs.push(t);
		}
		await playAll(cdp, tabs);
		for (const t of tabs)
			report(t);

		// they keep playing: frames at no less than half the source's rate
		const before = [];
		for (const t of tabs)
			before.push(await evaluate(cdp, t.tab, STATE_EXPR).catch(() => ({})));
		await sleep(KEEP_MS);
		for (const [i, t] of tabs.entries()) {
			const after = await evaluate(cdp, t.tab, STATE_EXPR).catch(() => ({}));
			const f0 = before[i].s?.video?.framesDecoded ?? 0;
			const f1 = after.s?.video?.framesDecoded ?? 0;
			const fps = (f1 - f0) * 1000 / KEEP_MS;
			check(`${t.stream.label}_keeps_decoding_at_15_fps_or_more`, fps >= 15,
			      `${f1 - f0} frames in ${KEEP_MS} ms`);
			const v = after.s?.video || {};
			info(`${t.stream.label}: ${fps.toFixed(1)} fps over ${KEEP_MS / 1000} s; ` +
			     `now ${v.framesDecoded} frames, ${v.packetsReceived} packets, ` +
			     `lost ${v.packetsLost}, nack ${v.nackCount}, pli ${v.pliCount}`);
		}
		for (const t of tabs) {
			const ice = await evaluate(cdp, t.tab, ICE_EXPR).catch(e => ({ error: e.message }));
			info(`${t.stream.label}: ICE ${JSON.stringify(ice)}`);
			check(`${t.stream.label}_ice_selects_whepfans_candidate_${SERVER_CANDIDATE}`,
			      ice.remote === SERVER_CANDIDATE, JSON.stringify(ice));
		}

		let st = telemetry("/whepfan/stats");
		const live = tabs.filter(t => t.good).length;
		check(`telemetry_shows_${tabs.length}_sessions_and_viewers`,
		      st.sessions === tabs.length && st.viewers === tabs.length,
		      `sessions ${st.sessions}, viewers ${st.viewers}`);
		info(`telemetry: sessions ${st.sessions}, viewers ${st.viewers}, webrtc ${JSON.stringify(st.webrtc)}`);

		// end them one at a time: DELETE from the page, then pagehide
		let left = tabs.length;
		for (const t of tabs) {
			const name = t.stream.label;
			const where = await evaluate(cdp, t.tab, "wf.session").catch(() => null);
			let how;
			if (t.stream.end === "delete") {
				let r;
				try {
					r = await evaluate(cdp, t.tab, `(async () => {
						const h = ${JSON.stringify(t.stream.token ? { Authorization: "Bearer " + t.stream.token } : {})};
						const res = await fetch(wf.session, { method: "DELETE", headers: h });
						return { status: res.status, text: (await res.text()).trim() };
					})()`);
				} catch (e) {
					r = { status: 0, text: e.message };
				}
				check(`${name}_delete_of_the_location_answers_200`, r.status === 200,
				      `status ${r.status}: ${r.text}`);
				info(`${name}: DELETE ${where}: ${r.status} ${r.text}`);
				how = "delete";
			} else if (t.stream.end === "close") {
				// no DELETE: the DTLS close_notify alone must end it
				await evaluate(cdp, t.tab, "wf.pc.close(), true");
				how = "pc_close";
			} else {
				// the player's pagehide handler: keepalive DELETE, then
				// pc.close().  UDP to whepfan's port is refused meanwhile,
				// so the DTLS close_notify cannot end the session: only
				// the DELETE (with the token) can, before consent expires.
				blockWebrtc(true);
				try {
					await cdp.send("Page.navigate", { url: "about:blank" }, t.tab.sessionId);
					st = await waitSessions(left - 1);
				} finally {
					blockWebrtc(false);
				}
				how = "leaving_the_page_sends_delete" + (t.stream.token ? "_with_the_token" : "") +
				      "_which";
			}
			if (t.stream.end !== "leave")
				st = await waitSessions(left - 1);
			check(`${name}_${how}_ends_the_session_and_viewer_in_telemetry`,
			      st.sessions === left - 1 && st.viewers === left - 1,
			      `sessions ${st.sessions}, viewers ${st.viewers}, want ${left - 1}`);
			if (t.stream.end === "delete")
				await evaluate(cdp, t.tab, "wf.pc.close(), true").catch(() => {});
			left--;
		}
		st = telemetry("/whepfan/stats");
		check("telemetry_viewers_back_to_0", st.viewers === 0 && st.sessions === 0,
		      `sessions ${st.sessions}, viewers ${st.viewers}`);
		const w = st.webrtc || {};
		check("no_dtls_failures_and_every_session_went_live",
		      w.dtls_failed === 0 && w.sessions_live >= live && w.sessions_ended >= tabs.length,
		      JSON.stringify(w));
		/* dtls.settle_s = 1: every session's DTLS left OpenSSL before it
		 * ended, so Chromium's close_notify was opened, and ours sealed,
		 * by lib/dtls/record.c */
		check("every_session_settled_and_ended_through_the_settled_record_layer",
		      w.dtls_settled === tabs.length && w.dtls_read_failures === 0 &&
		      w.dtls_records_discarded === 0, JSON.stringify(w));
		info(`telemetry at the end: ${JSON.stringify(w)}`);
	} catch (e) {
		check("browser_driver_runs_without_errors", false, e.stack || e.message);
	} finally {
		clearTimeout(hard);
		await closeBrowser(b);
	}
	info(`browser part: ${secs()}`);
	console.log(`# play.js: ${checks.passed} passed, ${checks.failed} failed`);
	process.exit(checks.failed ? 1 : 0);
}

main();
