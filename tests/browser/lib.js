// Shared helpers of the browser tests: the server run.sh started (its URL and database come
// in the environment), Debian's Chromium launched through playwright-core (never a browser
// download), logins, axe-core checks, keyboard helpers and screenshots.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const CHROMIUM = process.env.CONSTAT_CHROMIUM || '/usr/bin/chromium';
const BASE = process.env.CONSTAT_BASE_URL || '';
const DB = process.env.CONSTAT_DB || '';
const SHOTS = process.env.CONSTAT_SHOTS || '';
const PASSWORD = 'demo-constat';

// Why the browser tests cannot run here, or null when they can.
function skipReason() {
	if (!BASE || !DB)
		return 'CONSTAT_BASE_URL and CONSTAT_DB are not set: run tests/browser/run.sh';
	if (!fs.existsSync(CHROMIUM))
		return `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)`;
	try {
		require.resolve('playwright-core');
		require.resolve('axe-core');
	} catch (e) {
		return 'playwright-core or axe-core missing: run npm ci in tests/browser';
	}
	return null;
}

// Launches Debian's Chromium headless with the flags this closed network needs.
async function launch() {
	const { chromium } = require('playwright-core');
	return chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		// French date fields (dd/mm/yyyy) where Debian's chromium-l10n is installed.
		env: Object.assign({}, process.env, { LANGUAGE: 'fr' }),
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update',
			'--disable-sync', '--disable-dev-shm-usage', '--lang=fr-FR'],
	});
}

// A new context (own cookies and storage) with a French locale, at desktop or phone size.
async function newContext(browser, phone) {
	const opts = { locale: 'fr-FR', timezoneId: 'UTC', acceptDownloads: true };
	if (phone) {
		opts.viewport = { width: 360, height: 740 };
		opts.isMobile = true;
		opts.hasTouch = true;
		opts.deviceScaleFactor = 2;
	} else {
		opts.viewport = { width: 1280, height: 900 };
	}
	const ctx = await browser.newContext(opts);
	ctx.setDefaultTimeout(10000);
	return ctx;
}

function sql(query) {
	return execFileSync('sqlite3', [DB, query], { encoding: 'utf8' }).trim();
}

function demoLogin(role) {
	return sql(`SELECT value FROM meta WHERE key = 'demo.login.${role}'`);
}

// Logs in through the form, with the keyboard (the login field has the focus on arrival).
async function login(page, who, password) {
	await page.goto(BASE + '/connexion');
	await page.fill('#f-login', who);
	await page.fill('#f-password', password || PASSWORD);
	await Promise.all([page.waitForNavigation(), page.press('#f-password', 'Enter')]);
}

async function logout(page) {
	await Promise.all([page.waitForNavigation(),
		page.click('form.logout button')]);
}

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const axeLog = [];

// Runs axe-core with the WCAG 2.1 A and AA rules on the page as it is now; returns the
// violations as short strings (empty when none). Evaluated through the DevTools protocol,
// so the page's CSP stays as it is.
async function axe(page, label) {
	const has = await page.evaluate('typeof window.axe === "object"');
	if (!has)
		await page.evaluate(AXE_SOURCE);
	const res = await page.evaluate(() => window.axe.run(document, {
		runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
		resultTypes: ['violations'],
	}));
	const out = res.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ` +
		v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '));
	axeLog.push({ label, url: page.url(), violations: out, passes: res.passes.length });
	return out;
}

// The landmarks, language, title, labels every page must have; returns problems.
async function structure(page) {
	return page.evaluate(() => {
		const p = [];
		if (document.documentElement.lang !== 'fr') p.push('lang is not fr');
		if (!/\S.* – Constat$/.test(document.title)) p.push(`title "${document.title}"`);
		for (const sel of ['header', 'main', 'footer'])
			if (!document.querySelector(sel)) p.push(`no <${sel}>`);
		if (document.querySelectorAll('h1').length !== 1) p.push('not exactly one h1');
		for (const el of document.querySelectorAll('input, select, textarea')) {
			if (el.type === 'hidden') continue;
			const named = el.labels && el.labels.length || el.getAttribute('aria-label') ||
				el.getAttribute('aria-labelledby');
			if (!named) p.push(`control without a label: ${el.name || el.id}`);
		}
		return p;
	});
}

// Presses Tab through the whole page, checks that every visible control is reached (or
// its group, for radios and chips) and that each focused control shows a visible focus (an outline or box-shadow that differs from its unfocused look). Returns
// { stops, presses, problems, keys }.
async function tabWalk(page, max) {
	await page.evaluate(() => { document.activeElement && document.activeElement.blur(); });
	await page.evaluate(() => window.scrollTo(0, 0));
	const seen = new Set();
	const problems = [];
	let stops = 0, presses = 0, last = null, wrapped = false;
	for (let i = 0; i < (max || 400); i++) {
		await page.keyboard.press('Tab');
		const info = await page.evaluate(() => {
			const el = document.activeElement;
			if (!el || el === document.body) return null;
			const again = el.hasAttribute('data-tab-seen');
			el.setAttribute('data-tab-seen', '1');
			const key = el.id || el.name + ':' + (el.value || el.textContent || '').slice(0, 30);
			// The focus may be drawn on the element itself or on its label (chips).
			function ring(e) {
				const s = getComputedStyle(e);
				const o = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
				return o || (s.boxShadow && s.boxShadow !== 'none');
			}
			let visible = ring(el);
			if (!visible && el.labels) for (const l of el.labels) if (ring(l)) visible = true;
			const r = el.getBoundingClientRect();
			return { key, again, tag: el.tagName, visible, w: r.width, h: r.height };
		});
		// Past the last control the focus leaves the page once, then starts at the top.
		if (!info) {
			if (wrapped) break;
			wrapped = true;
			continue;
		}
		presses++;
		// Tab moves through the day, month and year of a date field: one control.
		if (info.key === last) continue;
		last = info.key;
		if (info.again) break;
		seen.add(info.key);
		stops++;
		if (!info.visible) problems.push(`no visible focus on ${info.tag} ${info.key}`);
	}
	// Every visible control must have been a Tab stop, or belong to a group (radios of one
	// name, a group of chips) one of whose members was: the arrows move inside those.
	const missed = await page.evaluate(() => {
		const out = [];
		const sel = 'a[href], button, input, select, textarea, summary, [tabindex]';
		for (const el of document.querySelectorAll(sel)) {
			if (el.disabled || el.type === 'hidden' || el.tabIndex < -1) continue;
			if (el.getAttribute('tabindex') === '-1' && !el.matches('input, select, button'))
				continue;
			const r = el.getBoundingClientRect();
			const vis = r.width > 0 && r.height > 0 || el.matches('.chip-input') &&
				el.labels && el.labels[0] && el.labels[0].getBoundingClientRect().width > 0;
			if (!vis || getComputedStyle(el).visibility === 'hidden') continue;
			// The content of a closed <details> is not rendered (Chromium still measures
			// it): its summary is the control to reach.
			const shut = el.closest('details:not([open])');
			if (shut && !(el.tagName === 'SUMMARY' && el.parentElement === shut)) continue;
			if (el.hasAttribute('data-tab-seen')) continue;
			let group = null;
			if (el.type === 'radio') group = el.form ? el.form.querySelectorAll(
				`input[type=radio][name="${el.name}"]`) : [];
			else if (el.closest('.chips')) group = el.closest('.chips').querySelectorAll('input');
			if (group && Array.from(group).some((g) => g.hasAttribute('data-tab-seen')))
				continue;
			out.push(`not reachable by Tab: ${el.tagName} ${el.id || el.name || el.textContent.trim().slice(0, 30)}`);
		}
		for (const el of document.querySelectorAll('[data-tab-seen]'))
			el.removeAttribute('data-tab-seen');
		return out;
	});
	problems.push(...missed);
	return { stops, presses, problems, keys: Array.from(seen) };
}

// Horizontal scrolling of the whole page (phone widths): the overflow in pixels.
async function horizontalOverflow(page) {
	return page.evaluate(() => document.documentElement.scrollWidth -
		document.documentElement.clientWidth);
}

// Visible interactive elements smaller than 44x44 CSS pixels (WCAG 2.5.5 enhanced, the
// house target); inline links inside running text are exempt, as WCAG allows.
async function smallTargets(page) {
	return page.evaluate(() => {
		const out = [];
		const els = document.querySelectorAll('a[href], button, select, input, textarea, label.chip');
		for (const el of els) {
			if (el.type === 'hidden' || el.classList.contains('chip-input')) continue;
			const r = el.getBoundingClientRect();
			if (r.width === 0 || r.height === 0) continue;
			const s = getComputedStyle(el);
			if (s.visibility === 'hidden') continue;
			if (el.tagName === 'A' && s.display === 'inline' && el.closest('p, td, dd, li.result, .result'))
				continue;
			if (el.type === 'checkbox' || el.type === 'radio') {
				// A small box is fine when its label makes the target 44px tall.
				const lab = el.labels && el.labels[0];
				const parent = el.parentElement.getBoundingClientRect();
				if (lab && (lab.getBoundingClientRect().height >= 44 || parent.height >= 44))
					continue;
			}
			if (el.classList.contains('skip')) continue;
			if (r.height < 44 - 0.5 || r.width < 24)
				out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} ` +
					`"${(el.textContent || el.name || '').trim().slice(0, 30)}" ` +
					`${Math.round(r.width)}x${Math.round(r.height)}`);
		}
		return out;
	});
}

// Writes a screenshot NAME.png into the folder run.sh gave (nothing otherwise): the whole
// page at desktop width, the screen as the user sees it at phone width (a full-page
// capture would draw the sticky send bar in the middle of the form); FULL overrides.
async function shot(page, name, full) {
	if (!SHOTS) return;
	fs.mkdirSync(SHOTS, { recursive: true });
	const phone = page.viewportSize().width < 600;
	await page.screenshot({ path: path.join(SHOTS, name + '.png'),
		fullPage: full === undefined ? !phone : full });
}

// Writes the axe log next to the screenshots, so that the run leaves a record.
function writeAxeLog(name) {
	if (!SHOTS) return;
	fs.mkdirSync(SHOTS, { recursive: true });
	fs.writeFileSync(path.join(SHOTS, `axe-${name}.json`), JSON.stringify(axeLog, null, 1));
}

// An active establishment with a plain upper-case name of at least 12 letters, and a
// its name with two letters of a word swapped (a typo), as tests/e2e/web.sh picks it.
function establishmentWithTypo() {
	const row = sql(`SELECT e.siret || '|' || l.name FROM establishment e
		JOIN legal_unit l ON l.siren = e.siren WHERE e.state = 'A' AND length(l.name) >= 12
		AND l.name GLOB '[A-Z]*' AND l.name NOT GLOB '*[^A-Z ]*' ORDER BY e.siret LIMIT 1`);
	const [siret, name] = row.split('|');
	const word = name.split(/\s+/).find((w) => w.length >= 6) || name.split(/\s+/)[0];
	const typoWord = word.slice(0, 3) + word[4] + word[3] + word.slice(5);
	const typo = name.replace(word, typoWord).toLowerCase();
	return { siret, name, word, typo };
}

function today() {
	return new Date().toISOString().slice(0, 10);
}

module.exports = {
	BASE, DB, SHOTS, PASSWORD, skipReason, launch, newContext, sql, demoLogin, login, logout,
	axe, structure, tabWalk, horizontalOverflow, smallTargets, shot, writeAxeLog,
	establishmentWithTypo, today,
};
