// Entry-time benchmark: records two interventions in Debian's Chromium as a practised
// agent would (no pause but the wait for the establishment proposals), and counts the
// keystrokes, clicks, page loads, wall time and machine time of each.
//   1. routine: a control on site at a known establishment, two themes, one lettre
//      d'observations citing one article, a one-line note;
//   2. priority action: the same with the running action "chutes de hauteur" chosen and
//      three of its control points answered.
// The path: from the home page, one click on "Nouvelle intervention"; on the form, the
// establishment's name typed in the SIRET field and the proposal taken with the arrows,
// then only the keyboard; Ctrl+Enter sends.
// Machine time = the renderer's main-thread busy time (DevTools Performance.TaskDuration)
// + the server's CPU time (utime + stime from /proc/PID/stat), both as deltas over the
// run: CPU spent for this user, not wall time inflated by other load or by the 200 ms
// debounce of the proposals. The CPU of every Chromium process (browser, GPU, network,
// renderer; /proc) is printed too, as an upper bound that includes the automation.
// Environment: CONSTAT_BASE_URL, CONSTAT_DB, CONSTAT_SERVER_PID (bench/entry-time.sh).
// Exit status 1 when a floor is missed: 40 keystrokes + clicks beyond the name and the
// note, one page for the entry, 3 s of machine time.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const lib = require('../tests/browser/lib.js');

const HZ = 100; // clock ticks per second of /proc/PID/stat on Linux
const SERVER = Number(process.env.CONSTAT_SERVER_PID || 0);
const RUNS = Number(process.env.RUNS || 3);

function cpuOf(pid) {
	try {
		const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
		return (Number(rest[11]) + Number(rest[12])) / HZ; // utime, stime
	} catch (e) {
		return 0;
	}
}

// CPU seconds of every thread of PID, in nanoseconds from /proc/PID/task/*/schedstat
// (the server answers a few requests: far below the 10 ms ticks of /proc/PID/stat).
function threadsCpu(pid) {
	let ns = 0;
	try {
		for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
			try {
				ns += Number(fs.readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8')
					.split(' ')[0]);
			} catch (e) { /* thread gone */ }
		}
	} catch (e) {
		return cpuOf(pid);
	}
	return ns / 1e9;
}

// CPU seconds of PID and all its descendants.
function treeCpu(pid) {
	const kids = {};
	for (const d of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(d)) continue;
		try {
			const f = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
			const ppid = Number(f.slice(f.lastIndexOf(')') + 2).split(' ')[1]);
			(kids[ppid] = kids[ppid] || []).push(Number(d));
		} catch (e) { /* gone */ }
	}
	let total = 0;
	const todo = [pid];
	while (todo.length) {
		const p = todo.pop();
		total += cpuOf(p);
		for (const k of kids[p] || []) todo.push(k);
	}
	return total;
}

// CPU seconds of the Chromium processes: this node process's descendants, less itself.
function chromiumCpu() {
	return treeCpu(process.pid) - cpuOf(process.pid);
}

// Counts what the user does; free text (the establishment's name, the note) apart.
function recorder(page) {
	const c = { keys: 0, clicks: 0, loads: 0, freeChars: 0, log: [] };
	page.on('load', () => { c.loads++; });
	c.press = async (key, n) => {
		for (let i = 0; i < (n || 1); i++) {
			await page.keyboard.press(key);
			c.keys++;
		}
		c.log.push(n > 1 ? `${key}×${n}` : key);
	};
	c.type = async (text) => {
		await page.keyboard.type(text);
		c.keys += [...text].length;
		c.log.push(`"${text}"`);
	};
	c.free = async (text) => {
		await page.keyboard.type(text);
		c.freeChars += [...text].length;
		c.log.push(`[${[...text].length} chars]`);
	};
	c.click = async (selector) => {
		await page.click(selector);
		c.clicks++;
		c.log.push(`click ${selector}`);
	};
	return c;
}

async function busy(cdp) {
	const m = await cdp.send('Performance.getMetrics');
	const get = (n) => (m.metrics.find((x) => x.name === n) || { value: 0 }).value;
	return { task: get('TaskDuration'), script: get('ScriptDuration'),
		layout: get('LayoutDuration') + get('RecalcStyleDuration') };
}

// Presses Tab (counted) until SELECTOR has the focus; a practised user knows the count.
async function tabTo(page, c, selector) {
	let n = 0;
	while (!(await page.evaluate((s) => document.activeElement &&
		document.activeElement.matches(s), selector))) {
		await page.keyboard.press('Tab');
		c.keys++;
		if (++n > 60) throw new Error(`Tab never reached ${selector}`);
	}
	c.log.push(`Tab×${n}`);
}

async function record(browser, est, withAction) {
	const ctx = await lib.newContext(browser);
	const page = await ctx.newPage();
	await lib.login(page, lib.demoLogin('agent'));
	const cdp = await ctx.newCDPSession(page);
	await cdp.send('Performance.enable');
	const c = recorder(page);
	const cpu0 = { server: threadsCpu(SERVER), chromium: chromiumCpu() };
	let busyTotal = 0;
	let b0 = await busy(cdp);
	const t0 = process.hrtime.bigint();

	// Home -> the form (one click, one page).
	await c.click('main a[href="/interventions/nouvelle"]');
	await page.waitForURL(/\/interventions\/nouvelle$/);
	await page.waitForLoadState('load');
	const b1 = await busy(cdp);
	busyTotal += b1.task >= b0.task ? b1.task - b0.task : b1.task;
	b0 = b1;
	const loadsBefore = c.loads;
	// The SIRET field has the focus: the name, then the first matching proposal.
	await c.free(est.name.toLowerCase());
	await page.waitForSelector('#f-siret-list li[role=option]');
	const opts = await page.$$eval('#f-siret-list li[role=option]',
		(ls) => ls.map((l) => l.textContent));
	const at = opts.findIndex((t) => t.includes(est.siret));
	if (at < 0) throw new Error(`${est.siret} not proposed for "${est.name}"`);
	await c.press('ArrowDown', at + 1);
	await c.press('Enter');
	if ((await page.inputValue('#f-siret')) !== est.siret) throw new Error('proposal not taken');
	// Date (today), kind (contrôle sur site), on site (ticked): Tab past them to group 2.
	await tabTo(page, c, '#t-travail_illegal');
	await c.press('Tab');
	await c.press('ArrowRight');
	await c.press('Space');
	await c.press('ArrowRight');
	await c.press('Space');
	if (withAction) {
		await tabTo(page, c, '#f-action');
		const texts = await page.$$eval('#f-action option', (os) => os.map((o) => o.text));
		const want = texts.findIndex((t) => /chutes de hauteur/i.test(t));
		if (want < 0) throw new Error('no running action on falls from height');
		await c.press('ArrowDown', want);
		// Three control points: non conforme, conforme, non conforme.
		await c.press('Tab');
		await c.press('ArrowLeft');
		await c.press('Tab');
		await c.press('ArrowLeft', 2);
		await c.press('Tab');
		await c.press('ArrowLeft');
	}
	await tabTo(page, c, '#f-fu-0-kind');
	await c.type('l');
	if ((await page.inputValue('#f-fu-0-kind')) !== 'lettre_observations')
		throw new Error('the follow-up kind was not chosen with L');
	await tabTo(page, c, '#f-fu-0-prov');
	await c.type('L.4121-1');
	await tabTo(page, c, '#f-note');
	await c.free('Garde-corps absents au 2e étage, lettre envoyée.');
	const b2 = await busy(cdp);
	busyTotal += b2.task - b0.task;
	const entryLoads = c.loads - loadsBefore;
	await Promise.all([page.waitForURL(/\/interventions\/\d+\?enregistree=1$/),
		c.press('Control+Enter')]);
	await page.waitForLoadState('load');
	const t1 = process.hrtime.bigint();
	const b3 = await busy(cdp);
	// The metrics follow the renderer: a new document may start from zero.
	busyTotal += b3.task >= b2.task ? b3.task - b2.task : b3.task;
	const serverCpu = threadsCpu(SERVER) - cpu0.server;
	const allCpu = chromiumCpu() - cpu0.chromium;
	const id = new URL(page.url()).pathname.split('/').pop();
	const themes = lib.sql(`SELECT count(*) FROM intervention_theme WHERE intervention_id = ${id}`);
	const fus = lib.sql(`SELECT kind FROM followup WHERE intervention_id = ${id}`);
	const act = lib.sql(`SELECT coalesce(priority_action_id, '') FROM intervention WHERE id = ${id}`);
	if (themes !== '2' || fus !== 'lettre_observations' || (withAction && !act))
		throw new Error(`record ${id} not as entered (${themes} themes, ${fus}, action ${act})`);
	await ctx.close();
	return {
		keys: c.keys, clicks: c.clicks, freeChars: c.freeChars,
		loads: c.loads, entryLoads, wall: Number(t1 - t0) / 1e9,
		renderer: busyTotal, server: serverCpu, machine: busyTotal + serverCpu,
		allCpu: allCpu, log: c.log.join(' '),
	};
}

function median(xs) {
	const s = xs.slice().sort((a, b) => a - b);
	return s[Math.floor(s.length / 2)];
}

async function main() {
	const reason = lib.skipReason();
	if (reason) {
		console.error('entry-time: ' + reason);
		process.exit(77);
	}
	if (!SERVER) throw new Error('CONSTAT_SERVER_PID is not set: run bench/entry-time.sh');
	const est = lib.establishmentWithTypo();
	const browser = await lib.launch();
	let ok = true;
	const rows = [];
	for (const [name, withAction] of [['routine', false], ['priority action', true]]) {
		const runs = [];
		for (let i = 0; i < RUNS; i++) runs.push(await record(browser, est, withAction));
		const r = runs[0];
		const m = (k) => median(runs.map((x) => x[k]));
		const beyond = r.keys + r.clicks;
		const floor = beyond <= 40 && r.entryLoads === 0 && m('machine') < 3;
		const routine = name === 'routine';
		ok = ok && (!routine || floor);
		rows.push(`| ${name} | ${r.keys} | ${r.clicks} | ${beyond} | ${r.freeChars} | ` +
			`1 form (+1 after sending) | ${m('wall').toFixed(2)} s | ` +
			`${m('renderer').toFixed(2)} + ${m('server').toFixed(3)} = ${m('machine').toFixed(2)} s | ` +
			`${m('allCpu').toFixed(2)} s | ${routine ? (floor ? 'met' : 'MISSED') : 'routine only'} |`);
		console.error(`${name}: ${r.log}`);
	}
	await browser.close();
	console.log(`Establishment: "${est.name}" (${est.siret}); median of ${RUNS} runs each.`);
	console.log('');
	console.log('| intervention | keystrokes | clicks | keys + clicks | free text (name, note) | ' +
		'pages | wall | machine: renderer + server | all Chromium CPU | floors (40, 1 page, 3 s) |');
	console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
	for (const r of rows) console.log(r);
	process.exit(ok ? 0 : 1);
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
