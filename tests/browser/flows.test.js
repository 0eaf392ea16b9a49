// The flows of the web interface as its users live them, in Debian's Chromium: log in and
// out, a search with a typo, an intervention recorded with the keyboard only, mistakes
// shown beside their fields, "mon activité" and its CSV, a manager's limits and dashboard
// (secret cells marked and explained), an analyst's dashboard and ILO report, a draft
// with added follow-up rows restored, an administrator creating an account. axe-core (WCAG 2.1 A and AA) runs on every page seen,
// with the structure checks (lang, title, landmarks, labels) and a visible focus on every
// Tab stop.
'use strict';

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const lib = require('./lib.js');

const reason = lib.skipReason();
let browser;
const seen = { pages: 0 };

// axe, structure and a full Tab walk of the page as it is now; NAME for the screenshot.
async function check(page, name, opts) {
	if (!opts || opts.shot !== false) await lib.shot(page, `desktop-${name}`);
	const v = await lib.axe(page, name);
	assert.deepEqual(v, [], `axe violations on ${name} (${page.url()})`);
	const s = await lib.structure(page);
	assert.deepEqual(s, [], `structure of ${name}`);
	if (!opts || opts.tab !== false) {
		const w = await lib.tabWalk(page);
		assert.ok(w.stops >= 2, `${name}: Tab reaches the controls (${w.stops})`);
		assert.deepEqual(w.problems, [], `${name}: focus visible on every Tab stop`);
		await page.evaluate(() => window.scrollTo(0, 0));
	}
	seen.pages++;
}

// Presses Tab until the focused element matches SELECTOR; returns the presses.
async function tabTo(page, selector, max) {
	for (let n = 1; n <= (max || 80); n++) {
		await page.keyboard.press('Tab');
		if (await page.evaluate((s) => document.activeElement &&
			document.activeElement.matches(s), selector))
			return n;
	}
	throw new Error(`Tab never reached ${selector}`);
}

async function focused(page) {
	return page.evaluate(() => document.activeElement && (document.activeElement.id ||
		document.activeElement.name || document.activeElement.tagName));
}

// Asserts that WANT (as focused() names it) has the focus. Autofocus and a script's
// focus() land at the browser's next rendering step, which can come after "load" when the
// server is slow (under ASan): wait for it a bounded time, then compare what has it.
async function assertFocus(page, want, message) {
	await page.waitForFunction((w) => {
		const a = document.activeElement;
		return a && (a.id || a.name || a.tagName) === w;
	}, want, { timeout: 5000 }).catch(() => {});
	assert.equal(await focused(page), want, message);
}

describe('browser flows', { skip: reason || false }, () => {
	const est = reason ? null : lib.establishmentWithTypo();
	const agent = reason ? null : lib.demoLogin('agent');
	let recorded = null; // path of the intervention recorded with the keyboard

	before(async () => { browser = await lib.launch(); });
	after(async () => {
		lib.writeAxeLog('flows');
		if (browser) await browser.close();
	});

	test('log in and out', async () => {
		const ctx = await lib.newContext(browser);
		const page = await ctx.newPage();
		await page.goto(lib.BASE + '/mon-activite');
		assert.match(page.url(), /\/connexion\?suite=\/mon-activite$/);
		await check(page, 'connexion');
		await page.reload();
		// The login field has the focus: type, Tab, type, Enter.
		await assertFocus(page, 'f-login');
		await page.keyboard.type(agent);
		await page.keyboard.press('Tab');
		await page.keyboard.type(lib.PASSWORD);
		await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
		assert.match(page.url(), /\/mon-activite$/);
		await page.goto(lib.BASE + '/');
		assert.equal(await page.title(), 'Accueil – Constat');
		await assertFocus(page, 'q', 'the search box has the focus');
		await check(page, 'accueil');
		await lib.logout(page);
		assert.match(page.url(), /\/connexion\?fin=1$/);
		await check(page, 'deconnexion', { shot: false });
		await page.goto(lib.BASE + '/');
		assert.match(page.url(), /\/connexion/, 'logged out for real');
		// A wrong password: one message, the login kept.
		await page.fill('#f-login', agent);
		await page.fill('#f-password', 'pas le bon');
		await Promise.all([page.waitForNavigation(), page.press('#f-password', 'Enter')]);
		await assert.doesNotReject(page.getByText('Identifiant ou mot de passe incorrect.').waitFor());
		await check(page, 'connexion-erreur', { shot: false });
		await ctx.close();
	});

	test('search with a typo, open the establishment', async () => {
		const ctx = await lib.newContext(browser);
		const page = await ctx.newPage();
		await lib.login(page, agent);
		await page.keyboard.type(est.typo);
		await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
		assert.match(page.url(), /\/recherche\?q=/);
		const mark = page.locator('mark', { hasText: est.word }).first();
		await assert.doesNotReject(mark.waitFor(), `"${est.word}" highlighted for "${est.typo}"`);
		await check(page, 'recherche');
		const link = page.locator(`a[href="/etablissements/${est.siret}"]`).first();
		await Promise.all([page.waitForNavigation(), link.click()]);
		assert.equal(new URL(page.url()).pathname, `/etablissements/${est.siret}`);
		await assert.doesNotReject(page.getByRole('heading', { name: 'Identité' }).waitFor());
		await check(page, 'etablissement');
		await ctx.close();
	});

	test('record an intervention with the keyboard only', async () => {
		const ctx = await lib.newContext(browser);
		const page = await ctx.newPage();
		await lib.login(page, agent);
		await page.keyboard.type(est.typo);
		await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
		await tabTo(page, `a[href="/interventions/nouvelle?siret=${est.siret}"]`);
		await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
		assert.equal(await page.title(), 'Nouvelle intervention – Constat');
		await assertFocus(page, 'f-kind', 'focus on the kind');
		assert.equal(await page.inputValue('#f-siret'), est.siret);
		await lib.shot(page, 'desktop-intervention-nouvelle-ecran', false);
		await check(page, 'intervention-nouvelle');
		await page.reload(); // F5: the autofocus is back on the kind (a moment after "load")
		await assertFocus(page, 'f-kind');
		// kind -> on site -> group 1 -> group 2; two themes with the arrows and Space.
		await page.keyboard.press('Tab');
		await page.keyboard.press('Tab');
		await page.keyboard.press('Tab');
		await assertFocus(page, 't-sante_securite');
		await page.keyboard.press('ArrowRight');
		await page.keyboard.press('Space');
		await page.keyboard.press('ArrowRight');
		await page.keyboard.press('Space');
		// The priority action "chutes de hauteur", chosen with the arrows.
		await tabTo(page, '#f-action');
		const actions = await page.$$eval('#f-action option', (os) => os.map((o) => o.text));
		const want = actions.findIndex((t) => /chutes de hauteur/i.test(t));
		assert.ok(want > 0, 'a running action on falls from height');
		for (let i = 0; i < want; i++) await page.keyboard.press('ArrowDown');
		const actionId = await page.inputValue('#f-action');
		// Its checklist: first point "non conforme", second "conforme" (radios: arrows).
		await page.keyboard.press('Tab');
		await page.keyboard.press('ArrowLeft');
		await page.keyboard.press('Tab');
		await page.keyboard.press('ArrowLeft');
		await page.keyboard.press('ArrowLeft');
		const states = await page.$$eval(`.checklist[data-action="${actionId}"] input:checked`,
			(is) => is.map((i) => i.value));
		assert.deepEqual(states.slice(0, 2), ['non_compliant', 'compliant']);
		assert.ok(states.slice(2).every((s) => s === 'not_checked'), 'the rest not checked');
		// A follow-up: "Lettre d'observations" by its first letter, then the provisions.
		await tabTo(page, '#f-fu-0-kind');
		await page.keyboard.press('l');
		assert.equal(await page.inputValue('#f-fu-0-kind'), 'lettre_observations');
		await tabTo(page, '#f-fu-0-prov');
		await page.keyboard.type('L.4121-1');
		await tabTo(page, '#f-note');
		await page.keyboard.type('Échafaudage sans garde-corps côté rue.');
		await Promise.all([page.waitForNavigation(), page.keyboard.press('Control+Enter')]);
		assert.match(page.url(), /\/interventions\/\d+\?enregistree=1$/);
		recorded = new URL(page.url()).pathname;
		const body = await page.textContent('main');
		for (const s of ['Intervention enregistrée.', 'Chutes de hauteur', 'Amiante',
			'Lettre d\'observations', 'L.4121-1', 'Échafaudage sans garde-corps côté rue.'])
			assert.ok(body.includes(s), `the record shows "${s}"`);
		assert.match(body, /chutes de hauteur/i, 'the priority action');
		const id = recorded.split('/').pop();
		assert.equal(lib.sql(`SELECT count(*) FROM intervention_theme WHERE intervention_id = ${id}`), '2');
		assert.equal(lib.sql(`SELECT priority_action_id FROM intervention WHERE id = ${id}`), actionId);
		assert.equal(lib.sql(`SELECT group_concat(state, ' ') FROM (SELECT state FROM
			intervention_checkpoint WHERE intervention_id = ${id} AND state <> 'not_checked'
			ORDER BY control_point_id)`), 'non_compliant compliant', 'the checklist as answered');
		assert.equal(lib.sql(`SELECT kind || ' ' || coalesce(date, '') FROM followup
			WHERE intervention_id = ${id}`).split(' ')[0], 'lettre_observations');
		await check(page, 'intervention');
		await ctx.close();
	});

	test('the establishment proposals and the follow-up rows work with the keyboard', async () => {
		const ctx = await lib.newContext(browser);
		const page = await ctx.newPage();
		await lib.login(page, agent);
		await page.goto(lib.BASE + '/interventions/nouvelle');
		await assertFocus(page, 'f-siret', 'no SIRET given: focus on the SIRET');
		await page.keyboard.type(est.name.toLowerCase());
		const list = page.locator('#f-siret-list');
		await assert.doesNotReject(list.locator('li[role=option]').first().waitFor());
		assert.equal(await page.getAttribute('#f-siret', 'aria-expanded'), 'true');
		assert.deepEqual(await lib.axe(page, 'proposals-open'), [], 'axe with the list open');
		await lib.shot(page, 'desktop-propositions', false);
		// Escape closes the list and keeps what was typed; typing opens it again.
		await page.keyboard.press('Escape');
		assert.equal(await page.getAttribute('#f-siret', 'aria-expanded'), 'false');
		assert.ok(await list.isHidden());
		assert.equal(await page.inputValue('#f-siret'), est.name.toLowerCase());
		await page.keyboard.press('Backspace');
		await page.keyboard.type(est.name.slice(-1).toLowerCase());
		// The answer to the whole name (an answer to a shorter one may come first).
		await assert.doesNotReject(list.locator('li[role=option]', { hasText: est.siret }).first()
			.waitFor(), `${est.siret} proposed`);
		const texts = await list.locator('li[role=option]').allTextContents();
		const at = texts.findIndex((t) => t.includes(est.siret));
		assert.ok(at >= 0, `${est.siret} proposed`);
		for (let i = 0; i <= at; i++) await page.keyboard.press('ArrowDown');
		const active = await page.getAttribute('#f-siret', 'aria-activedescendant');
		assert.equal(await page.getAttribute('#' + active, 'aria-selected'), 'true');
		await page.keyboard.press('Enter');
		assert.equal(await page.inputValue('#f-siret'), est.siret);
		assert.equal(await page.getAttribute('#f-siret', 'aria-expanded'), 'false');
		assert.match(await page.textContent('#f-siret-name'), new RegExp(est.name));
		// "Ajouter une suite" with Enter shows row 2 and puts the focus in it.
		await page.focus('#f-fu-0-prov');
		await tabTo(page, '#fu-add');
		await page.keyboard.press('Enter');
		await assertFocus(page, 'f-fu-1-kind');
		assert.ok(await page.isVisible('#f-fu-1-kind'));
		await ctx.close();
	});

	test('a mistake is shown beside its field, nothing typed is lost', async () => {
		const ctx = await lib.newContext(browser);
		const page = await ctx.newPage();
		await lib.login(page, agent);
		await page.goto(`${lib.BASE}/interventions/nouvelle?siret=${est.siret}`);
		await page.fill('#f-date', '2999-01-01');
		await page.selectOption('#f-kind', '');
		await page.click('label[for="t-rc_cse"]');
		await page.click('label[for="t-ss_rps"]');
		await page.fill('#f-co_agents', 'personne');
		await page.selectOption('#f-fu-0-kind', 'proces_verbal');
		await page.fill('#f-fu-0-prov', 'L.8221-1');
		await page.fill('#f-note', 'Note à <garder> & "citer"');
		await Promise.all([page.waitForNavigation(),
			page.click('button[type=submit]:has-text("Enregistrer")')]);
		assert.match(await page.title(), /^Erreur/);
		await assertFocus(page, 'erreurs', 'the summary has the focus');
		// The message sits right under the date, tied to it, and the summary links to it.
		const err = page.locator('#f-date-err');
		await assert.doesNotReject(err.waitFor());
		assert.equal(await page.getAttribute('#f-date', 'aria-invalid'), 'true');
		assert.match(await page.getAttribute('#f-date', 'aria-describedby'), /f-date-err/);
		const near = await page.evaluate(() => {
			const f = document.getElementById('f-date').getBoundingClientRect();
			const e = document.getElementById('f-date-err').getBoundingClientRect();
			return Math.abs(e.top - f.bottom) < 80 || Math.abs(f.top - e.bottom) < 80;
		});
		assert.ok(near, 'the message is beside the field');
		assert.equal(await page.inputValue('#f-date'), '2999-01-01');
		assert.equal(await page.inputValue('#f-siret'), est.siret);
		assert.ok(await page.isChecked('#t-rc_cse'));
		assert.ok(await page.isChecked('#t-ss_rps'));
		assert.equal(await page.inputValue('#f-co_agents'), 'personne');
		assert.equal(await page.inputValue('#f-fu-0-kind'), 'proces_verbal');
		assert.equal(await page.inputValue('#f-fu-0-prov'), 'L.8221-1');
		assert.equal(await page.inputValue('#f-note'), 'Note à <garder> & "citer"');
		await lib.shot(page, 'desktop-intervention-erreur-ecran', false);
		await check(page, 'intervention-erreur');
		// The link in the summary takes the focus to the field.
		await page.click('#erreurs a[href="#f-date"]');
		await assertFocus(page, 'f-date');
		// Fix the date: now the missing kind is named beside its field.
		await page.fill('#f-date', lib.today());
		await page.fill('#f-co_agents', '');
		await Promise.all([page.waitForNavigation(),
			page.click('button[type=submit]:has-text("Enregistrer")')]);
		await assert.doesNotReject(page.locator('#f-kind-err').waitFor());
		assert.equal(await page.getAttribute('#f-kind', 'aria-invalid'), 'true');
		assert.equal(await page.inputValue('#f-note'), 'Note à <garder> & "citer"');
		await check(page, 'intervention-erreur-type', { shot: false, tab: false });
		await ctx.close();
	});

	test('read "mon activité" and export its CSV', async () => {
		const ctx = await lib.newContext(browser);
		const page = await ctx.newPage();
		await lib.login(page, agent);
		await page.goto(lib.BASE + '/mon-activite');
		assert.match(await page.title(), /^Mon activité – .* – Constat$/);
		if (recorded)
			assert.ok(await page.locator(`a[href="${recorded}"]`).count() > 0,
				'the intervention recorded above is listed');
		await check(page, 'mon-activite');
		const [dl] = await Promise.all([page.waitForEvent('download'),
			page.click('text=Exporter en CSV')]);
		const file = await dl.path();
		const csv = fs.readFileSync(file, 'utf8');
		const lines = csv.trim().split(/\r?\n/);
		assert.ok(lines.length >= 2, 'a header and at least one row');
		assert.match(lines[0], /date/i);
		if (recorded)
			assert.ok(csv.includes(recorded.split('/').pop()) || csv.includes(est.siret),
				'the CSV holds the intervention');
		// The whole year: its page, month by month, and its CSV.
		const year = lib.today().slice(0, 4);
		await Promise.all([page.waitForNavigation(), page.click(`text=Toute l'année ${year}`)]);
		assert.equal(await page.title(), `Mon activité – année ${year} – Constat`);
		assert.ok(await page.locator('#month-h').count() === 1, 'the "Par mois" table');
		if (recorded)
			assert.ok(await page.locator(`a[href="${recorded}"]`).count() > 0,
				'the year lists the intervention recorded above');
		await check(page, 'mon-activite-annee');
		const [dly] = await Promise.all([page.waitForEvent('download'),
			page.click('text=Exporter en CSV')]);
		assert.equal(dly.suggestedFilename(), `activite-${year}.csv`);
		const ycsv = fs.readFileSync(await dly.path(), 'utf8').trim().split(/\r?\n/);
		assert.ok(ycsv.length >= lines.length, 'the year has at least the month\'s rows');
		await ctx.close();
	});

	test('a manager: no case record, no agent report', async () => {
		const ctx = await lib.newContext(browser);
		const page = await ctx.newPage();
		await lib.login(page, lib.demoLogin('unit_manager'));
		await check(page, 'accueil-encadrant');
		assert.match(await page.textContent('main'), /statistiques publiées/);
		for (const p of [recorded || '/interventions/1', '/interventions/nouvelle',
			'/mon-activite', '/mes-consultations']) {
			const r = await page.goto(lib.BASE + p);
			assert.equal(r.status(), 403, `${p} refused to a manager`);
			assert.match(await page.textContent('main'), /Accès refusé/);
		}
		await check(page, 'refus-encadrant', { shot: false });
		const rid = (recorded || '/interventions/1').split('/').pop();
		const rec = await page.request.get(`${lib.BASE}/api/v1/interventions/${rid}`);
		assert.ok(rec.status() === 403 || rec.status() === 404, `no record through the API (${rec.status()})`);
		const api = await page.request.get(lib.BASE + '/api/v1/me/activity?format=csv');
		assert.ok(api.status() === 403 || api.status() === 401, 'no activity CSV either');
		await ctx.close();
	});

	test('a manager opens the dashboard: secret cells marked and explained', async () => {
		const ctx = await lib.newContext(browser);
		const page = await ctx.newPage();
		await lib.login(page, lib.demoLogin('unit_manager'));
		// run.sh's demo database has the closed months released (constat demo does it).
		assert.ok(Number(lib.sql('SELECT count(*) FROM stats_release')) > 0,
			'the demo database has releases');
		const link = page.locator('nav a[href="/statistiques"]', { hasText: 'Statistiques' });
		await Promise.all([page.waitForNavigation(), link.click()]);
		assert.equal(new URL(page.url()).pathname, '/statistiques');
		assert.match(await page.title(), /^Statistiques/);
		await check(page, 'tableau-de-bord');
		const main = page.locator('main');
		const scope = lib.sql(`SELECT o.code FROM agent a JOIN org_unit o ON o.id = a.scope_unit_id
			WHERE a.login = '${lib.demoLogin('unit_manager')}'`);
		assert.match(await page.textContent('h1'), /^Statistiques/);
		assert.ok((await page.textContent('.lead')).includes(scope), `the manager's unit ${scope}`);
		// Figures: published cells with a number, secret cells marked « secret », and the
		// breakdowns of this small control unit (fewer than 20 agents in the demo)
		// marked « par trimestre »: published for the quarter only, not secret.
		const nums = await main.locator('td.num').allTextContents();
		assert.ok(nums.some((t) => /^\d+$/.test(t.trim())), 'at least one figure is shown');
		const secrets = await main.locator('td.secret').allTextContents();
		assert.ok(secrets.every((t) => t.trim() === 'secret'), 'a secret cell says « secret »');
		const quarterly = await main.locator('td.quarterly').allTextContents();
		assert.ok(quarterly.length > 0, 'the unit\'s breakdowns are published by quarter');
		assert.ok(quarterly.every((t) => t.trim() === 'par trimestre'),
			'such a cell says « par trimestre »');
		// The legend says why figures are hidden, that a secret is never a zero, and what
		// « par trimestre » means.
		const legend = await page.textContent('aside.stats-legend');
		assert.match(legend, /« secret » : chiffre masqué parce qu'il permettrait de connaître l'activité d'un agent/);
		assert.match(legend, /moins de 3 agents/);
		assert.match(legend, /par différence avec les autres chiffres publiés/);
		assert.match(legend, /Un secret n'est jamais un zéro\./);
		assert.match(legend, /« par trimestre » : dans une unité de moins de 20 agents/);
		// Each breakdown section says so and links to the quarter's full table (run.sh's
		// demo has the closed months of the last year released: quarters among them).
		const notes = await main.locator('section p.stats-quarter a').evaluateAll((as) =>
			as.map((a) => a.getAttribute('href')));
		assert.ok(notes.length >= 4, `a note with a link in each breakdown (${notes.length})`);
		assert.ok(notes.every((h) => /^\/statistiques\/tableau\?table=\w+&periode=trimestre&/.test(h)),
			`the notes link to a quarter (${notes[0]})`);
		// Every chart (inline SVG with a title) comes with its table in the same section.
		const charts = await page.$$eval('main figure.stats-chart', (fs) => fs.map((f) => ({
			svg: !!f.querySelector('svg[role=img] title'),
			table: !!f.closest('section') && !!f.closest('section').querySelector('table caption'),
		})));
		assert.ok(charts.length >= 3, `charts drawn (${charts.length})`);
		assert.ok(charts.every((c) => c.svg && c.table), 'each chart has a title and its table');
		// A secret bar is drawn hatched and labelled, never as a zero-length bar; a bar
		// published by quarter only is not drawn, only labelled.
		if (await page.locator('main svg .svg-secret').count() > 0)
			assert.ok(await page.locator('main svg .svg-secret-label').count() > 0);
		assert.ok(await page.locator('main svg .svg-quarterly-label').count() > 0,
			'« par trimestre » in the charts');
		await page.evaluate(() => { document.activeElement && document.activeElement.blur(); });
		await lib.shot(page, 'desktop-tableau-de-bord-ecran', false);

		// The full table of the catalogue's first entry.
		const full = page.locator('ul.stats-catalogue a').first();
		await Promise.all([page.waitForNavigation(), full.click()]);
		assert.equal(new URL(page.url()).pathname, '/statistiques/tableau');
		assert.ok(await page.locator('main table caption').count() > 0, 'a captioned table');
		await check(page, 'tableau-complet');
		// The quarter a note links to: figures or « secret », never « par trimestre ».
		const qr = await page.goto(lib.BASE + notes[0]);
		assert.equal(qr.status(), 200, `the quarter's table (${notes[0]})`);
		assert.match(await page.textContent('main table caption'), /trimestre/);
		assert.equal(await page.locator('main td.quarterly').count(), 0, 'the quarter is published');
		assert.ok(await page.locator('main td.num, main td.secret').count() > 0, 'its cells');

		// Outside the manager's scope: the nation and another unit are refused.
		const other = lib.sql(`SELECT code FROM org_unit WHERE level = 'unit' AND code != '${scope}'
			ORDER BY code LIMIT 1`);
		for (const q of ['echelon=FR', `echelon=${encodeURIComponent(other)}`]) {
			const r = await page.goto(`${lib.BASE}/statistiques?${q}`);
			assert.equal(r.status(), 403, `${q} refused to a unit manager`);
			assert.match(await page.textContent('main'), /Accès refusé/);
		}
		const rt = await page.goto(`${lib.BASE}/statistiques/tableau?table=activite&echelon=${encodeURIComponent(other)}`);
		assert.equal(rt.status(), 403, 'another unit\'s table refused');
		await check(page, 'statistiques-refus', { shot: false, tab: false });
		// The ILO report is for analysts and administrators.
		const ilo = await page.goto(lib.BASE + '/rapport-oit');
		assert.equal(ilo.status(), 403, 'the ILO report refused to a unit manager');
		await ctx.close();
	});

	test('an analyst reads the national dashboard and the ILO report', async () => {
		const ctx = await lib.newContext(browser);
		const page = await ctx.newPage();
		await lib.login(page, lib.demoLogin('analyst'));
		await page.goto(lib.BASE + '/statistiques');
		assert.match(await page.textContent('.lead'), /FR/);
		assert.ok(await page.locator('main td.num').count() > 0);
		await check(page, 'tableau-de-bord-national', { shot: false });
		const r = await page.goto(lib.BASE + '/rapport-oit');
		assert.equal(r.status(), 200);
		assert.match(await page.textContent('h1'), /OIT|Convention/);
		await check(page, 'rapport-oit');
		// Item a) is edited behind a summary: Enter opens it, Tab reaches the text.
		await page.focus('details.ilo-edit summary');
		await page.keyboard.press('Enter');
		assert.ok(await page.getAttribute('details.ilo-edit', 'open') !== null, 'opened by Enter');
		await page.keyboard.press('Tab');
		await assertFocus(page, 'texte');
		assert.deepEqual(await lib.axe(page, 'rapport-oit-point-a'), [], 'axe with item a) open');
		await ctx.close();
	});

	test('a draft with more follow-up rows than the page renders is restored whole', async () => {
		const ctx = await lib.newContext(browser);
		const page = await ctx.newPage();
		await lib.login(page, agent);
		const url = `${lib.BASE}/interventions/nouvelle?siret=${est.siret}`;
		await page.goto(url);
		const rendered = await page.locator('select[name=fu_kind]').count();
		// "Ajouter une suite" until two rows beyond those the page rendered.
		for (let i = 1; i < rendered + 2; i++) await page.click('#fu-add');
		const rows = rendered + 2;
		assert.equal(await page.locator('select[name=fu_kind]').count(), rows);
		const kinds = ['lettre_observations', 'mise_en_demeure', 'proces_verbal'];
		for (let i = 0; i < rows; i++) {
			await page.selectOption(`#f-fu-${i}-kind`, kinds[i % kinds.length]);
			await page.fill(`#f-fu-${i}-prov`, `L.4121-${i + 1}`);
		}
		await page.fill('#f-note', 'Cinq suites.');
		await page.waitForFunction((t) => (localStorage.getItem('constat.draft:/interventions') ||
			'').includes(t), `L.4121-${rows}`);
		await page.close();

		const again = await ctx.newPage();
		await again.goto(url);
		assert.equal(await again.locator('select[name=fu_kind]').count(), rendered,
			'a fresh form renders its own rows');
		await assert.doesNotReject(again.locator('.draft-offer').waitFor());
		await again.click('text=Reprendre le brouillon');
		assert.equal(await again.locator('select[name=fu_kind]').count(), rows,
			'the rows added are back');
		for (let i = 0; i < rows; i++) {
			assert.ok(await again.isVisible(`#f-fu-${i}-kind`), `row ${i + 1} shown`);
			assert.equal(await again.inputValue(`#f-fu-${i}-kind`), kinds[i % kinds.length]);
			assert.equal(await again.inputValue(`#f-fu-${i}-prov`), `L.4121-${i + 1}`);
			assert.equal(await again.textContent(`fieldset.fu-row[data-row="${i}"] legend`),
				`Suite ${i + 1}`);
		}
		assert.equal(await again.inputValue('#f-note'), 'Cinq suites.');
		assert.deepEqual(await lib.axe(again, 'brouillon-suites'), [], 'axe after restoring');
		// Sent: every follow-up is recorded.
		await Promise.all([again.waitForNavigation(), again.keyboard.press('Control+Enter')]);
		assert.match(again.url(), /\/interventions\/\d+\?enregistree=1$/);
		const id = new URL(again.url()).pathname.split('/').pop();
		assert.equal(lib.sql(`SELECT count(*) FROM followup WHERE intervention_id = ${id}`),
			String(rows), 'every follow-up row saved');
		await ctx.close();
	});

	test('an administrator creates an account', async () => {
		const ctx = await lib.newContext(browser);
		const page = await ctx.newPage();
		await lib.login(page, lib.demoLogin('admin'));
		await page.goto(lib.BASE + '/admin/comptes');
		await check(page, 'admin-comptes');
		const login = 'agent.navigateur';
		await page.fill('#a-login', login);
		await page.fill('#a-name', 'Agent Navigateur');
		await page.selectOption('#a-role', 'agent');
		const unit = lib.sql(`SELECT u.code FROM org_unit u JOIN assignment a ON a.section_id = u.id
			LIMIT 1`);
		await page.fill('#a-unit', unit);
		await page.fill('#a-password', 'un mot de passe assez long 42');
		await Promise.all([page.waitForNavigation(),
			page.click('form[action="/admin/comptes"] button[type=submit]')]);
		assert.ok((await page.textContent('main')).includes(login), 'the account is listed');
		assert.equal(lib.sql(`SELECT count(*) FROM agent WHERE login = '${login}'`), '1');
		await check(page, 'admin-comptes-cree', { shot: false, tab: false });
		// The new account works.
		const ctx2 = await lib.newContext(browser);
		const p2 = await ctx2.newPage();
		await lib.login(p2, login, 'un mot de passe assez long 42');
		assert.equal(await p2.title(), 'Accueil – Constat');
		await ctx2.close();
		await ctx.close();
	});

	test('every page seen passed axe', () => {
		assert.ok(seen.pages >= 10, `axe ran on ${seen.pages} pages`);
	});
});
