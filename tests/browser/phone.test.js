// The interface at a phone width (inspectors are on site): no horizontal scrolling, touch
// targets of 44px, axe on the phone layout, the intervention form filled with taps only
// and sent from the bar at the bottom of the screen, and the draft that survives a lost
// connection or a closed tab.
'use strict';

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const lib = require('./lib.js');

const reason = lib.skipReason();
let browser;

// Waits until the draft under KEY holds TEXT (it is written 250 ms after the last input).
async function draftSaved(page, key, text) {
	await page.waitForFunction(([k, t]) => (localStorage.getItem(k) || '').includes(t),
		[key, text]);
}

describe('phone width and field use', { skip: reason || false }, () => {
	const est = reason ? null : lib.establishmentWithTypo();
	const agent = reason ? null : lib.demoLogin('agent');

	before(async () => { browser = await lib.launch(); });
	after(async () => {
		lib.writeAxeLog('phone');
		if (browser) await browser.close();
	});

	test('every main page fits a 360px phone, with 44px targets', async () => {
		const ctx = await lib.newContext(browser, true);
		const page = await ctx.newPage();
		await page.goto(lib.BASE + '/connexion');
		const pages = [['connexion', '/connexion']];
		const check = async (name) => {
			assert.equal(await lib.horizontalOverflow(page), 0, `${name}: no horizontal scroll`);
			assert.deepEqual(await lib.smallTargets(page), [], `${name}: touch targets`);
			assert.deepEqual(await lib.axe(page, 'phone-' + name), [], `${name}: axe`);
			await lib.shot(page, 'phone-' + name);
		};
		await check('connexion');
		await lib.login(page, agent);
		pages.push(['accueil', '/'], ['recherche', '/recherche?q=' + encodeURIComponent(est.typo)],
			['etablissement', '/etablissements/' + est.siret],
			['intervention-nouvelle', '/interventions/nouvelle?siret=' + est.siret],
			['mon-activite', '/mon-activite'], ['consultations', '/mes-consultations']);
		for (const [name, url] of pages.slice(1)) {
			await page.goto(lib.BASE + url);
			await check(name);
		}
		// A record: the first of the agent's own interventions.
		const href = await page.goto(lib.BASE + '/mon-activite').then(() =>
			page.getAttribute('main a[href^="/interventions/"]:not([href*="nouvelle"])', 'href')
				.catch(() => null));
		if (href) {
			await page.goto(lib.BASE + href);
			await check('intervention');
		}
		await ctx.close();
		const admin = await lib.newContext(browser, true);
		const ap = await admin.newPage();
		await lib.login(ap, lib.demoLogin('admin'));
		await ap.goto(lib.BASE + '/admin/comptes');
		assert.equal(await lib.horizontalOverflow(ap), 0, 'accounts: no horizontal scroll');
		assert.deepEqual(await lib.axe(ap, 'phone-admin'), [], 'accounts: axe');
		await lib.shot(ap, 'phone-admin-comptes');
		await admin.close();
	});

	test('the dashboard fits a 360px phone: only the tables scroll, in their wrapper', async () => {
		const ctx = await lib.newContext(browser, true);
		const page = await ctx.newPage();
		await lib.login(page, lib.demoLogin('unit_manager'));
		for (const [name, url] of [['tableau-de-bord', '/statistiques'],
			['tableau-complet', '/statistiques/tableau?table=activite_theme&periode=cumul']]) {
			const r = await page.goto(lib.BASE + url);
			assert.equal(r.status(), 200, `${url} for a unit manager`);
			assert.equal(await lib.horizontalOverflow(page), 0, `${name}: no horizontal scroll`);
			// A table wider than the screen scrolls inside its own wrapper, which Tab reaches.
			const loose = await page.evaluate(() => Array.from(document.querySelectorAll('main table'))
				.filter((t) => t.getBoundingClientRect().width > document.documentElement.clientWidth &&
					!(t.parentElement.classList.contains('table-wrap') &&
						t.parentElement.tabIndex === 0)).length);
			assert.equal(loose, 0, `${name}: every wide table scrolls in a focusable wrapper`);
			assert.deepEqual(await lib.axe(page, 'phone-' + name), [], `${name}: axe`);
			await lib.shot(page, 'phone-' + name);
		}
		await ctx.close();
	});

	test('the form with one thumb: taps only, the send bar within reach', async () => {
		const ctx = await lib.newContext(browser, true);
		const page = await ctx.newPage();
		await lib.login(page, agent);
		await page.goto(`${lib.BASE}/interventions/nouvelle?siret=${est.siret}`);
		// The send button stays on screen, in the bottom third, while scrolling.
		const bar = async () => page.evaluate(() => {
			const r = document.querySelector('.sticky button[type=submit]').getBoundingClientRect();
			return { top: r.top, bottom: r.bottom, h: window.innerHeight, w: r.width };
		});
		let b = await bar();
		assert.ok(b.bottom <= b.h && b.top >= b.h * 2 / 3, `send button in reach (${JSON.stringify(b)})`);
		assert.ok(b.w >= 200, 'a wide send button');
		await page.tap('label[for="t-ss_chutes_hauteur"]');
		await page.tap('label[for="t-ss_amiante"]');
		assert.ok(await page.isChecked('#t-ss_chutes_hauteur'));
		assert.ok(await page.isChecked('#t-ss_amiante'));
		await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight / 2));
		b = await bar();
		assert.ok(b.bottom <= b.h && b.top >= b.h * 2 / 3, 'still in reach after scrolling');
		await page.selectOption('#f-fu-0-kind', 'lettre_observations');
		await page.tap('#f-fu-0-prov');
		await page.keyboard.type('L.4121-1');
		await page.tap('#f-note');
		await page.keyboard.type('Contrôle au téléphone.');
		await Promise.all([page.waitForNavigation(), page.tap('.sticky button[type=submit]')]);
		assert.match(page.url(), /\/interventions\/\d+\?enregistree=1$/);
		await lib.shot(page, 'phone-intervention-enregistree');
		await ctx.close();
	});

	test('the send bar never hides the focused field', async () => {
		const ctx = await lib.newContext(browser, true);
		const page = await ctx.newPage();
		await lib.login(page, agent);
		await page.goto(`${lib.BASE}/interventions/nouvelle?siret=${est.siret}`);
		const hidden = [];
		for (let i = 0; i < 60; i++) {
			await page.keyboard.press('Tab');
			const r = await page.evaluate(() => {
				const el = document.activeElement;
				if (!el || !el.closest('form.intervention') || el.closest('.sticky')) return null;
				const target = el.matches('.chip-input') && el.labels[0] ? el.labels[0] : el;
				const f = target.getBoundingClientRect();
				const s = document.querySelector('.sticky').getBoundingClientRect();
				return { id: el.id, under: f.bottom > s.top + 1 };
			});
			if (r === null) continue;
			if (r.under) hidden.push(r.id);
		}
		assert.deepEqual(hidden, [], 'fields hidden under the send bar when focused');
		await ctx.close();
	});

	test('a draft survives a closed tab and a lost connection', async () => {
		const ctx = await lib.newContext(browser, true);
		let page = await ctx.newPage();
		await lib.login(page, agent);
		const url = `${lib.BASE}/interventions/nouvelle?siret=${est.siret}`;
		await page.goto(url);
		assert.equal(await page.locator('.draft-offer').count(), 0, 'no offer without a draft');
		await page.tap('label[for="t-ss_machines"]');
		await page.selectOption('#f-action', { index: 1 });
		const actionId = await page.inputValue('#f-action');
		const cp = page.locator(`.checklist[data-action="${actionId}"] input[value="non_compliant"]`).first();
		await cp.check();
		await page.selectOption('#f-fu-0-kind', 'mise_en_demeure');
		await page.fill('#f-fu-0-prov', 'R.4324-1');
		await page.fill('#f-note', 'Presse sans carter, à revoir.');
		await draftSaved(page, 'constat.draft:/interventions', 'Presse sans carter');
		await page.close(); // the tab is closed

		page = await ctx.newPage();
		await page.goto(url);
		const offer = page.locator('.draft-offer');
		await assert.doesNotReject(offer.waitFor(), 'the draft is offered');
		const said = await offer.textContent();
		assert.match(said, /brouillon/);
		assert.ok(said.includes(est.name), `the offer names the establishment: ${said}`);
		const inView = await page.evaluate(() => {
			const r = document.querySelector('.draft-offer').getBoundingClientRect();
			return r.top >= 0 && r.bottom <= window.innerHeight;
		});
		assert.ok(inView, 'the offer is on screen');
		assert.equal(await page.evaluate(() => document.activeElement.textContent),
			'Reprendre le brouillon', 'the offer has the focus');
		assert.deepEqual(await lib.axe(page, 'phone-draft-offer'), [], 'axe with the offer');
		await lib.shot(page, 'phone-brouillon');
		assert.equal(await page.inputValue('#f-note'), '', 'nothing restored before asked');
		await page.tap('text=Reprendre le brouillon');
		assert.equal(await offer.count(), 0, 'the offer is gone');
		assert.ok(await page.isChecked('#t-ss_machines'));
		assert.equal(await page.inputValue('#f-action'), actionId);
		const cp2 = page.locator(`.checklist[data-action="${actionId}"] input[value="non_compliant"]`).first();
		assert.ok(await cp2.isChecked(), 'the checklist answer is back');
		assert.ok(await page.locator(`.checklist[data-action="${actionId}"]`).isVisible(),
			'and its checklist shown');
		assert.equal(await page.inputValue('#f-fu-0-kind'), 'mise_en_demeure');
		assert.equal(await page.inputValue('#f-fu-0-prov'), 'R.4324-1');
		assert.equal(await page.inputValue('#f-note'), 'Presse sans carter, à revoir.');

		// The connection drops while sending: the page fails, the draft stays.
		await ctx.setOffline(true);
		const [failed] = await Promise.all([page.waitForEvent('requestfailed'),
			page.tap('.sticky button[type=submit]').catch(() => {})]);
		assert.equal(failed.method(), 'POST', 'the send failed offline');
		await ctx.setOffline(false);
		const again = await ctx.newPage();
		await again.goto(url);
		await assert.doesNotReject(again.locator('.draft-offer').waitFor(),
			'offered again after the failed send');
		await again.tap('text=Reprendre le brouillon');
		assert.equal(await again.inputValue('#f-note'), 'Presse sans carter, à revoir.');
		await Promise.all([again.waitForNavigation(), again.tap('.sticky button[type=submit]')]);
		assert.match(again.url(), /\/interventions\/\d+\?enregistree=1$/);
		// Saved: the draft is gone.
		const left = await again.evaluate(() => localStorage.getItem('constat.draft:/interventions'));
		assert.equal(left, null, 'the draft is removed once saved');
		await again.goto(url);
		assert.equal(await again.locator('.draft-offer').count(), 0, 'no offer after saving');

		// "Ignorer" removes the draft; logging out removes every draft.
		await again.fill('#f-note', 'Autre brouillon.');
		await draftSaved(again, 'constat.draft:/interventions', 'Autre brouillon.');
		await again.reload();
		await again.tap('text=Ignorer');
		assert.equal(await again.evaluate(() =>
			localStorage.getItem('constat.draft:/interventions')), null, 'ignored: removed');
		await again.fill('#f-note', 'Encore un.');
		await draftSaved(again, 'constat.draft:/interventions', 'Encore un.');
		await Promise.all([again.waitForNavigation(), again.tap('form.logout button')]);
		assert.equal(await again.evaluate(() => Object.keys(localStorage)
			.filter((k) => k.startsWith('constat.draft:')).length), 0, 'logout clears drafts');
		await ctx.close();
	});

	test('an edit has its own draft', async () => {
		const ctx = await lib.newContext(browser);
		const page = await ctx.newPage();
		await lib.login(page, agent);
		const id = lib.sql(`SELECT i.id FROM intervention i JOIN agent a ON a.id = i.author_id
			WHERE a.login = '${agent}' ORDER BY i.id DESC LIMIT 1`);
		const url = `${lib.BASE}/interventions/${id}/modifier`;
		await page.goto(url);
		assert.deepEqual(await lib.axe(page, 'modifier'), [], 'axe on the edit form');
		assert.deepEqual(await lib.structure(page), [], 'structure of the edit form');
		const before = await page.inputValue('#f-note');
		await page.fill('#f-note', before + ' Modifié.');
		await draftSaved(page, `constat.draft:/interventions/${id}`, 'Modifié.');
		const keys = await page.evaluate(() => Object.keys(localStorage));
		assert.ok(keys.includes(`constat.draft:/interventions/${id}`), `keyed by the record: ${keys}`);
		await page.goto(`${lib.BASE}/interventions/nouvelle`);
		assert.equal(await page.locator('.draft-offer').count(), 0, 'not offered on a new form');
		await page.goto(url);
		await assert.doesNotReject(page.locator('.draft-offer').waitFor());
		await page.click('text=Reprendre le brouillon');
		assert.equal(await page.inputValue('#f-note'), before + ' Modifié.');
		await Promise.all([page.waitForNavigation(), page.keyboard.press('Control+Enter')]);
		assert.match(page.url(), /modifiee=1$/);
		assert.equal(await page.evaluate((k) => localStorage.getItem(k),
			`constat.draft:/interventions/${id}`), null, 'removed once saved');
		await ctx.close();
	});
});
