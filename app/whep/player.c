/* player.c: the web player and the stream list (player.h). */
#include "whep/player.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What both pages' scripts use: the state shown in the label, the
 * request headers (wf.token as a bearer token), and the wait for ICE
 * gathering. */
#define PAGE_JS_HELPERS \
"  function show(state, detail) {\n" \
"    wf.state = state;\n" \
"    label.textContent = detail ? state + \": \" + detail : state;\n" \
"  }\n" \
"\n" \
"  function headers(type) {\n" \
"    const h = {};\n" \
"    if (type) h[\"Content-Type\"] = type;\n" \
"    if (wf.token) h[\"Authorization\"] = \"Bearer \" + wf.token;\n" \
"    return h;\n" \
"  }\n" \
"\n" \
"  // The server is ICE-lite: an offer without candidates works, so wait\n" \
"  // for gathering at most 500 ms.\n" \
"  function gathered(pc) {\n" \
"    return new Promise(done => {\n" \
"      if (pc.iceGatheringState === \"complete\") return done();\n" \
"      const timer = setTimeout(done, 500);\n" \
"      pc.addEventListener(\"icegatheringstatechange\", () => {\n" \
"        if (pc.iceGatheringState === \"complete\") { clearTimeout(timer); done(); }\n" \
"      });\n" \
"    });\n" \
"  }\n"

/* The player.  "{{stream}}" is replaced by the HTML-escaped stream name;
 * the script never needs the name: "whep" is relative to /<stream>/. */
static const char player_html[] =
"<!DOCTYPE html>\n"
"<html lang=\"en\">\n"
"<head>\n"
"<meta charset=\"utf-8\">\n"
"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
"<title>{{stream}} - whepfan</title>\n"
"<style>\n"
"html, body { margin: 0; height: 100%; background: #000; color: #ddd; font: 14px sans-serif; }\n"
"video { display: block; width: 100%; height: 100%; object-fit: contain; }\n"
"#state { position: absolute; left: 8px; top: 8px; padding: 2px 6px; background: rgba(0,0,0,.6); }\n"
"</style>\n"
"</head>\n"
"<body>\n"
"<video id=\"video\" autoplay muted playsinline controls></video>\n"
"<div id=\"state\">{{stream}}: connecting</div>\n"
"<script>\n"
"\"use strict\";\n"
"(() => {\n"
"  const video = document.getElementById(\"video\");\n"
"  const label = document.getElementById(\"state\");\n"

"  const sleep = ms => new Promise(done => setTimeout(done, ms));\n"
"  const wf = window.wf = { pc: null, state: \"connecting\", session: null, error: null,\n"
"                          token: new URLSearchParams(location.search).get(\"token\") };\n"
"\n"
"  // getStats() summed up for tests: inbound-rtp per kind, the transport.\n"
"  wf.stats = async () => {\n"
"    const out = { framesDecoded: 0, video: null, audio: null, transport: null };\n"
"    if (!wf.pc) return out;\n"
"    (await wf.pc.getStats()).forEach(s => {\n"
"      if (s.type === \"inbound-rtp\") {\n"
"        out[s.kind] = { packetsReceived: s.packetsReceived, packetsLost: s.packetsLost,\n"
"          bytesReceived: s.bytesReceived, framesDecoded: s.framesDecoded,\n"
"          frameWidth: s.frameWidth, frameHeight: s.frameHeight, jitter: s.jitter,\n"
"          nackCount: s.nackCount, pliCount: s.pliCount };\n"
"        if (s.kind === \"video\") out.framesDecoded = s.framesDecoded || 0;\n"
"      } else if (s.type === \"transport\") {\n"
"        out.transport = { dtlsState: s.dtlsState, srtpCipher: s.srtpCipher };\n"
"      }\n"
"    });\n"
"    return out;\n"
"  };\n"
"\n"
PAGE_JS_HELPERS
"\n"
"  async function start() {\n"
"    const pc = wf.pc = new RTCPeerConnection({ iceServers: [] });\n"
"    const media = new MediaStream();\n"
"    video.srcObject = media;\n"
"    pc.addTransceiver(\"video\", { direction: \"recvonly\" });\n"
"    pc.addTransceiver(\"audio\", { direction: \"recvonly\" });\n"
"    pc.ontrack = ev => media.addTrack(ev.track);\n"
"    pc.onconnectionstatechange = () => {\n"
"      const s = pc.connectionState;\n"
"      if (s === \"connected\" && wf.state !== \"playing\") show(\"connected\");\n"
"      else if (s === \"disconnected\") show(\"connecting\", \"connection interrupted\");\n"
"      else if (s === \"failed\") fail(\"connection failed\");\n"
"    };\n"
"    video.addEventListener(\"playing\", () => show(\"playing\"));\n"
"    await pc.setLocalDescription(await pc.createOffer());\n"
"    await gathered(pc);\n"
"    for (;;) {\n"
"      const res = await fetch(\"whep\", { method: \"POST\", headers: headers(\"application/sdp\"),\n"
"                                       body: pc.localDescription.sdp });\n"
"      const text = await res.text();\n"
"      if (res.status === 409 || res.status === 503) {\n"
"        const wait = parseInt(res.headers.get(\"Retry-After\"), 10) || 2;\n"
"        show(\"waiting\", text.trim() + \" (retry in \" + wait + \" s)\");\n"
"        await sleep(wait * 1000);\n"
"        continue;\n"
"      }\n"
"      if (res.status !== 201) throw new Error(\"HTTP \" + res.status + \": \" + text.trim());\n"
"      wf.session = new URL(res.headers.get(\"Location\"), location.href).href;\n"
"      await pc.setRemoteDescription({ type: \"answer\", sdp: text });\n"
"      if (wf.state === \"waiting\") show(\"connecting\");\n"
"      return;\n"
"    }\n"
"  }\n"
"\n"
"  function fail(message) {\n"
"    wf.error = message;\n"
"    show(\"error\", message);\n"
"  }\n"
"\n"
"  // sendBeacon cannot DELETE: a keepalive fetch outlives the page.\n"
"  addEventListener(\"pagehide\", () => {\n"
"    if (wf.session) fetch(wf.session, { method: \"DELETE\", headers: headers(), keepalive: true });\n"
"    wf.session = null;\n"
"    if (wf.pc) wf.pc.close();\n"
"  });\n"
"\n"
"  start().catch(e => fail(e.message || String(e)));\n"
"})();\n"
"</script>\n"
"</body>\n"
"</html>\n";

/* The publisher (WHIP): the user enters the stream's publish token, the
 * page publishes the camera and microphone.  The token is typed, not put
 * in the URL, so it stays out of histories and logs. */
static const char publish_html[] =
"<!DOCTYPE html>\n"
"<html lang=\"en\">\n"
"<head>\n"
"<meta charset=\"utf-8\">\n"
"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
"<title>Publish {{stream}} - whepfan</title>\n"
"<style>\n"
"html, body { margin: 0; height: 100%; background: #000; color: #ddd; font: 14px sans-serif; }\n"
"video { display: block; width: 100%; height: calc(100% - 48px); object-fit: contain; }\n"
"form { display: flex; gap: 8px; align-items: center; height: 48px; padding: 0 8px; box-sizing: border-box; }\n"
"input { flex: 0 1 20em; }\n"
"#state { margin-left: auto; }\n"
"</style>\n"
"</head>\n"
"<body>\n"
"<form id=\"form\" autocomplete=\"off\">\n"
"<label for=\"token\">Publish token</label>\n"
"<input id=\"token\" type=\"password\">\n"
"<button id=\"go\" type=\"submit\">Publish</button>\n"
"<button id=\"stop\" type=\"button\" disabled>Stop</button>\n"
"<span id=\"state\">{{stream}}: idle</span>\n"
"</form>\n"
"<video id=\"video\" autoplay muted playsinline></video>\n"
"<script>\n"
"\"use strict\";\n"
"(() => {\n"
"  const $ = id => document.getElementById(id);\n"
"  const video = $(\"video\"), label = $(\"state\"), go = $(\"go\"), stop = $(\"stop\");\n"
"  const wf = window.wf = { pc: null, state: \"idle\", session: null, error: null, token: null };\n"
"\n"
"  // getStats() summed up for tests: outbound-rtp per kind, what whepfan's\n"
"  // receiver reports say (remote-inbound-rtp), the transport.\n"
"  wf.stats = async () => {\n"
"    const out = { video: null, audio: null, reports: { video: 0, audio: 0 }, transport: null };\n"
"    if (!wf.pc) return out;\n"
"    (await wf.pc.getStats()).forEach(s => {\n"
"      if (s.type === \"outbound-rtp\") {\n"
"        out[s.kind] = { packetsSent: s.packetsSent, bytesSent: s.bytesSent,\n"
"          framesEncoded: s.framesEncoded, frameWidth: s.frameWidth,\n"
"          frameHeight: s.frameHeight, nackCount: s.nackCount, pliCount: s.pliCount,\n"
"          retransmittedPacketsSent: s.retransmittedPacketsSent,\n"
"          targetBitrate: s.targetBitrate };\n"
"      } else if (s.type === \"remote-inbound-rtp\") {\n"
"        out.reports[s.kind] = s.reportsReceived || 1;\n"
"      } else if (s.type === \"transport\") {\n"
"        out.transport = { dtlsState: s.dtlsState, srtpCipher: s.srtpCipher };\n"
"      }\n"
"    });\n"
"    return out;\n"
"  };\n"
"\n"
PAGE_JS_HELPERS
"\n"
"  // Publishes the camera and microphone (\"whip\", relative to the page).\n"
"  wf.publish = async token => {\n"
"    wf.token = token || null;\n"
"    wf.error = null;\n"
"    go.disabled = true;\n"
"    show(\"starting\");\n"
"    const media = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });\n"
"    video.srcObject = media;\n"
"    const pc = wf.pc = new RTCPeerConnection({ iceServers: [] });\n"
"    for (const track of media.getTracks())\n"
"      pc.addTransceiver(track, { direction: \"sendonly\", streams: [media] });\n"
"    pc.onconnectionstatechange = () => {\n"
"      const s = pc.connectionState;\n"
"      if (s === \"connected\") show(\"publishing\");\n"
"      else if (s === \"disconnected\") show(\"connecting\", \"connection interrupted\");\n"
"      else if (s === \"failed\") fail(\"connection failed\");\n"
"    };\n"
"    await pc.setLocalDescription(await pc.createOffer());\n"
"    await gathered(pc);\n"
"    const res = await fetch(\"whip\", { method: \"POST\", headers: headers(\"application/sdp\"),\n"
"                                     body: pc.localDescription.sdp });\n"
"    const text = await res.text();\n"
"    if (res.status !== 201) throw new Error(\"HTTP \" + res.status + \": \" + text.trim());\n"
"    wf.session = new URL(res.headers.get(\"Location\"), location.href).href;\n"
"    await pc.setRemoteDescription({ type: \"answer\", sdp: text });\n"
"    stop.disabled = false;\n"
"    show(\"connecting\");\n"
"  };\n"
"\n"
"  // Ends publishing: DELETE of the session, the tracks stopped.\n"
"  wf.stop = keepalive => {\n"
"    if (wf.session)\n"
"      fetch(wf.session, { method: \"DELETE\", headers: headers(), keepalive: !!keepalive })\n"
"        .catch(() => {});\n"
"    wf.session = null;\n"
"    if (wf.pc) wf.pc.close();\n"
"    wf.pc = null;\n"
"    if (video.srcObject) video.srcObject.getTracks().forEach(t => t.stop());\n"
"    video.srcObject = null;\n"
"    go.disabled = false;\n"
"    stop.disabled = true;\n"
"    if (wf.state !== \"error\") show(\"idle\");\n"
"  };\n"
"\n"
"  function fail(message) {\n"
"    wf.error = message;\n"
"    show(\"error\", message);\n"
"    wf.stop();\n"
"  }\n"
"\n"
"  $(\"form\").addEventListener(\"submit\", ev => {\n"
"    ev.preventDefault();\n"
"    wf.publish($(\"token\").value).catch(e => fail(e.message || String(e)));\n"
"  });\n"
"  stop.addEventListener(\"click\", () => wf.stop());\n"
"  // sendBeacon cannot DELETE: a keepalive fetch outlives the page.\n"
"  addEventListener(\"pagehide\", () => wf.stop(true));\n"
"})();\n"
"</script>\n"
"</body>\n"
"</html>\n";

static const char index_head[] =
"<!DOCTYPE html>\n"
"<html lang=\"en\">\n"
"<head>\n"
"<meta charset=\"utf-8\">\n"
"<title>whepfan</title>\n"
"<style>body { font: 14px sans-serif; margin: 2em; }</style>\n"
"</head>\n"
"<body>\n"
"<h1>Streams</h1>\n"
"<ul>\n";

static const char index_tail[] =
"</ul>\n"
"</body>\n"
"</html>\n";

/* Writes s to f with the five HTML special characters escaped. */
static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f); break;
		}
	}
}

/* Closes the memory stream f over *buf: the buffer, or NULL with errno
 * set (and nothing leaked) when a write failed. */
static char *finish(FILE *f, char **buf)
{
	int failed = ferror(f);

	if (fclose(f) != 0 || failed) {
		free(*buf);
		errno = ENOMEM;
		return NULL;
	}
	return *buf;
}

/* Page tmpl with every "{{stream}}" replaced by stream, HTML-escaped. */
static char *page(const char *tmpl, const char *stream, size_t *len)
{
	static const char mark[] = "{{stream}}";
	const char *p = tmpl, *hit;
	char *buf = NULL;
	FILE *f;

	f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	while ((hit = strstr(p, mark)) != NULL) {
		fwrite(p, 1, (size_t)(hit - p), f);
		put_escaped(f, stream);
		p = hit + sizeof(mark) - 1;
	}
	fputs(p, f);
	return finish(f, &buf);
}

char *wf_player_page(const char *stream, size_t *len)
{
	return page(player_html, stream, len);
}

char *wf_publish_page(const char *stream, size_t *len)
{
	return page(publish_html, stream, len);
}

char *wf_player_index(const struct wf_config *cfg, size_t *len)
{
	char *buf = NULL;
	unsigned i;
	FILE *f;

	f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	fputs(index_head, f);
	for (i = 0; i < cfg->n_streams && i < WF_CONF_MAX_STREAMS; i++) {
		fputs("<li><a href=\"/", f);
		put_escaped(f, cfg->streams[i].name);
		fputs("/\">", f);
		put_escaped(f, cfg->streams[i].name);
		fputs("</a>", f);
		if (cfg->streams[i].ingest == WF_CONF_INGEST_WHIP) {
			fputs(" (<a href=\"/", f);
			put_escaped(f, cfg->streams[i].name);
			fputs("/publish\">publish</a>)", f);
		}
		fputs("</li>\n", f);
	}
	if (cfg->n_streams == 0)
		fputs("<li>no streams configured</li>\n", f);
	fputs(index_tail, f);
	return finish(f, &buf);
}
