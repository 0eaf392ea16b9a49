/* Constat: progressive enhancement only. Every page works without this file; with it the
 * intervention form gains the establishment autocomplete, the on-site default that
 * follows the kind, the checklist of the chosen priority action only, follow-up rows
 * added on demand, the server's French error messages instead of the browser's bubbles,
 * and a draft kept in localStorage. No framework, no inline code (strict CSP), text set
 * with textContent. */
(function () {
	"use strict";
	document.documentElement.classList.add("js");

	function $(sel, root) { return (root || document).querySelector(sel); }
	function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

	function init() {
		var summary = $("#erreurs");
		if (summary) summary.focus();
		onSite();
		checklists();
		followups();
		$all(".chips").forEach(chips);
		submitShortcut();
		$all("input[data-autocomplete]").forEach(autocomplete);
		serverValidation();
		drafts();
	}

	/* The browser's own validation bubbles (required, max date) are replaced by the
	 * server's: French, beside the field, in the summary, and everything typed kept. */
	function serverValidation() {
		var form = $("form.intervention");
		if (form) form.noValidate = true;
	}

	/* Drafts: the intervention form is saved in localStorage as it is typed (key: the
	 * form's action, so a new intervention and the edit of each record have their own),
	 * offered back when the form is opened again (lost connection, closed tab), and
	 * removed once the server confirmed the record. Logging out removes every draft, as
	 * the note is confidential. */
	var DRAFT = "constat.draft:";

	function storage() {
		try {
			var s = window.localStorage, k = DRAFT + "probe";
			s.setItem(k, "1");
			s.removeItem(k);
			return s;
		} catch (e) {
			return null;
		}
	}

	function drafts() {
		var store = storage();
		if (!store) return;
		var off = false;
		$all("form.logout").forEach(function (f) {
			f.addEventListener("submit", function () {
				off = true;
				for (var i = store.length - 1; i >= 0; i--) {
					var k = store.key(i);
					if (k && k.indexOf(DRAFT) === 0) store.removeItem(k);
				}
			});
		});
		forgetSaved(store);
		var form = $("form.intervention");
		if (!form) return;
		var key = DRAFT + form.getAttribute("action");
		var timer = null;
		function save(pending) {
			var fields = values(form), name = $("#f-siret-name");
			if (off) return;
			try {
				store.setItem(key, JSON.stringify({ saved: Date.now(), pending: !!pending,
					fields: fields, place: name ? name.textContent : "" }));
			} catch (e) { /* storage full: the form still works */ }
		}
		function later() {
			clearTimeout(timer);
			timer = setTimeout(function () {
				timer = null;
				save();
			}, 250);
		}
		form.addEventListener("input", later);
		form.addEventListener("change", later);
		form.addEventListener("submit", function () {
			clearTimeout(timer);
			timer = null;
			save(true);
		});
		/* A tab closed within the 250 ms keeps its last keystrokes too. */
		window.addEventListener("pagehide", function () {
			if (timer) save();
		});
		var raw = store.getItem(key), draft = null;
		try { draft = raw ? JSON.parse(raw) : null; } catch (e) { draft = null; }
		if (!draft || !draft.fields || $("#erreurs")) return;
		if (sameAsForm(form, draft.fields)) return;
		offer(form, draft, function () {
			restore(form, draft.fields);
			var name = $("#f-siret-name");
			if (name && typeof draft.place === "string") name.textContent = draft.place;
		}, function () {
			store.removeItem(key);
		});
	}

	/* After "Intervention enregistrée" or "Modifications enregistrées", the draft that
	 * was being sent is no longer needed. */
	function forgetSaved(store) {
		var q = window.location.search;
		var key = /[?&]enregistree=1/.test(q) ? DRAFT + "/interventions"
			: /[?&]modifiee=1/.test(q) ? DRAFT + window.location.pathname : null;
		if (!key) return;
		try {
			var d = JSON.parse(store.getItem(key) || "null");
			if (d && d.pending) store.removeItem(key);
		} catch (e) { store.removeItem(key); }
	}

	function values(form) {
		var out = [];
		$all("input, select, textarea", form).forEach(function (el) {
			if (!el.name || el.name === "csrf" || el.disabled) return;
			if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
			out.push([el.name, el.value]);
		});
		return out;
	}

	function sameAsForm(form, fields) {
		return JSON.stringify(values(form)) === JSON.stringify(fields);
	}

	function offer(form, draft, onRestore, onDiscard) {
		var box = document.createElement("div"), p = document.createElement("p");
		var yes = document.createElement("button"), no = document.createElement("button");
		var when = new Date(draft.saved);
		box.className = "draft-offer";
		box.setAttribute("role", "status");
		p.textContent = "Un brouillon non enregistré de ce formulaire existe (" +
			when.toLocaleDateString("fr-FR") + " à " +
			when.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" }) +
			(draft.place ? ", " + draft.place : "") + "). Le reprendre ?";
		yes.type = "button";
		yes.className = "primary";
		yes.textContent = "Reprendre le brouillon";
		no.type = "button";
		no.textContent = "Ignorer";
		box.appendChild(p);
		box.appendChild(yes);
		box.appendChild(no);
		form.parentNode.insertBefore(box, form);
		/* The offer takes the focus (the kind's autofocus would scroll it out of sight on
		 * a phone): Enter restores, Tab then Enter ignores. */
		yes.focus();
		yes.addEventListener("click", function () {
			onRestore();
			box.remove();
			var first = $("#f-siret");
			if (first) first.focus();
		});
		no.addEventListener("click", function () {
			onDiscard();
			box.remove();
			var kind = $("#f-kind");
			if (kind) kind.focus();
		});
	}

	/* Puts the draft's values back: the n-th value of a name goes to the n-th field of
	 * that name; boxes and radios are ticked exactly as saved. Follow-up rows are added
	 * first as the draft had them (rows added with "Ajouter une suite" beyond those the
	 * page renders), up to the cap. */
	function restore(form, fields) {
		var byName = {};
		fields.forEach(function (f) { (byName[f[0]] = byName[f[0]] || []).push(f[1]); });
		var want = Math.min((byName.fu_kind || []).length, FU_ROWS_MAX);
		while ($all("select[name=fu_kind]", form).length < want)
			if (!addFollowupRow()) break;
		var action = $("#f-action", form);
		if (action && byName.action) {
			action.value = byName.action[0];
			action.dispatchEvent(new Event("change"));
		}
		var seen = {};
		$all("input, select, textarea", form).forEach(function (el) {
			if (!el.name || el.name === "csrf" || el.disabled) return;
			var vals = byName[el.name] || [];
			if (el.type === "checkbox" || el.type === "radio") {
				el.checked = vals.indexOf(el.value) >= 0;
				return;
			}
			var i = seen[el.name] || 0;
			seen[el.name] = i + 1;
			if (el.type === "hidden" && el.name !== "fu_id") return;
			if (i < vals.length) el.value = vals[i];
		});
		$all(".fu-extra", form).forEach(function (row) {
			var used = $all("select, input[type=date], input[type=text]", row)
				.some(function (el) { return el.value !== ""; });
			if (used) row.classList.add("shown");
		});
	}

	/* Each group of theme chips is one Tab stop; the arrow keys move inside it and Space
	 * ticks (the toolbar pattern), so that Tab crosses 6 groups rather than 33 boxes. */
	function chips(group) {
		var boxes = $all("input.chip-input", group);
		if (!boxes.length) return;
		var current = boxes.filter(function (b) { return b.checked; })[0] || boxes[0];
		function focusable(b) {
			boxes.forEach(function (x) { x.tabIndex = x === b ? 0 : -1; });
		}
		focusable(current);
		boxes.forEach(function (b, i) {
			b.addEventListener("focus", function () { focusable(b); });
			b.addEventListener("keydown", function (ev) {
				var k = ev.key, j = -1;
				if (k === "ArrowRight" || k === "ArrowDown") j = (i + 1) % boxes.length;
				else if (k === "ArrowLeft" || k === "ArrowUp") j = (i + boxes.length - 1) % boxes.length;
				else if (k === "Home") j = 0;
				else if (k === "End") j = boxes.length - 1;
				if (j < 0) return;
				ev.preventDefault();
				focusable(boxes[j]);
				boxes[j].focus();
			});
		});
	}

	/* Ctrl+Enter (or Cmd+Enter) sends the intervention form from any field. */
	function submitShortcut() {
		var form = $("form.intervention");
		if (!form) return;
		form.addEventListener("keydown", function (ev) {
			if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
				ev.preventDefault();
				if (form.requestSubmit) form.requestSubmit(); else form.submit();
			}
		});
	}

	/* The on-site box follows the kind's default until the user touches it. */
	function onSite() {
		var kind = $("#f-kind"), box = $("#f-on_site"), touched = false;
		if (!kind || !box) return;
		box.addEventListener("change", function () { touched = true; });
		kind.addEventListener("change", function () {
			var opt = kind.options[kind.selectedIndex];
			if (!touched && opt && opt.getAttribute("data-onsite") !== null)
				box.checked = opt.getAttribute("data-onsite") === "1";
		});
	}

	/* Only the chosen action's control points are shown and sent. */
	function checklists() {
		var sel = $("#f-action");
		if (!sel) return;
		function update() {
			$all(".checklist").forEach(function (fs) {
				var on = fs.getAttribute("data-action") === sel.value;
				fs.classList.toggle("active", on);
				$all("input", fs).forEach(function (i) { i.disabled = !on; });
			});
		}
		sel.addEventListener("change", update);
		update();
	}

	/* "Ajouter une suite": shows the next hidden row, or copies the last one. */
	function followups() {
		var add = $("#fu-add");
		if (!add) return;
		add.hidden = false;
		add.addEventListener("click", function () {
			var row = addFollowupRow();
			var first = row && $("select", row);
			if (first) first.focus();
		});
	}

	/* The follow-up rows are capped (the server takes at most 50 in one form). */
	var FU_ROWS_MAX = 50;

	/* Shows the next hidden follow-up row, or appends a copy of the last one (ids, labels
	 * and descriptions renumbered, values and errors cleared). Returns the row, or null
	 * at the cap or without rows. */
	function addFollowupRow() {
		var add = $("#fu-add");
		var row = $(".fu-extra:not(.shown)");
		if (row) {
			row.classList.add("shown");
			return row;
		}
		var rows = $all(".fu-row"), last = rows[rows.length - 1];
		if (!last || !add || rows.length >= FU_ROWS_MAX) return null;
		var n = rows.length;
		row = last.cloneNode(true);
		row.setAttribute("data-row", String(n));
		row.classList.remove("fu-extra", "shown");
		$("legend", row).textContent = "Suite " + (n + 1);
		$all("[id]", row).forEach(function (el) {
			el.id = el.id.replace(/^f-fu-\d+-/, "f-fu-" + n + "-");
		});
		$all("label[for]", row).forEach(function (el) {
			el.htmlFor = el.htmlFor.replace(/^f-fu-\d+-/, "f-fu-" + n + "-");
		});
		$all("[aria-describedby]", row).forEach(function (el) {
			el.setAttribute("aria-describedby", el.getAttribute("aria-describedby")
				.replace(/f-fu-\d+-/g, "f-fu-" + n + "-"));
		});
		$all(".field-error", row).forEach(function (el) { el.remove(); });
		$all("input, select", row).forEach(function (el) {
			el.removeAttribute("aria-invalid");
			if (el.tagName === "SELECT") el.selectedIndex = 0; else el.value = "";
		});
		last.parentNode.insertBefore(row, add);
		return row;
	}

	/* Search-as-you-type under the SIRET field (ARIA 1.2 combobox with a listbox). */
	function autocomplete(input) {
		var url = input.getAttribute("data-autocomplete");
		var list = document.createElement("ul");
		var name = document.getElementById(input.id + "-name") || document.createElement("p");
		var timer = null, items = [], active = -1, seq = 0;
		list.id = input.id + "-list";
		list.className = "ac-list";
		list.setAttribute("role", "listbox");
		list.setAttribute("aria-label", "Établissements proposés");
		list.hidden = true;
		name.className = "ac-name";
		name.setAttribute("aria-live", "polite");
		input.setAttribute("role", "combobox");
		input.setAttribute("aria-autocomplete", "list");
		input.setAttribute("aria-expanded", "false");
		input.setAttribute("aria-controls", list.id);
		input.parentNode.appendChild(list);
		if (!name.parentNode) input.parentNode.appendChild(name);

		function close() {
			/* A query still waiting or on its way must not open the list again. */
			clearTimeout(timer);
			seq++;
			list.hidden = true;
			input.setAttribute("aria-expanded", "false");
			input.removeAttribute("aria-activedescendant");
			active = -1;
		}
		function choose(i) {
			var r = items[i];
			if (!r) return;
			input.value = r.siret;
			name.textContent = r.name + " – " + [r.address, r.postcode, r.commune].filter(Boolean).join(" ");
			close();
		}
		function mark(i) {
			var lis = $all("li", list);
			lis.forEach(function (li, k) { li.setAttribute("aria-selected", k === i ? "true" : "false"); });
			active = i;
			if (lis[i]) {
				input.setAttribute("aria-activedescendant", lis[i].id);
				lis[i].scrollIntoView({ block: "nearest" });
			}
		}
		function show(results) {
			items = results || [];
			list.textContent = "";
			items.forEach(function (r, i) {
				var li = document.createElement("li"), small = document.createElement("small");
				li.id = list.id + "-" + i;
				li.setAttribute("role", "option");
				li.setAttribute("aria-selected", "false");
				li.textContent = r.name || r.siret;
				small.textContent = [r.address, r.postcode, r.commune].filter(Boolean).join(" ") + " · " + r.siret;
				li.appendChild(small);
				li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(i); });
				list.appendChild(li);
			});
			list.hidden = items.length === 0;
			input.setAttribute("aria-expanded", items.length ? "true" : "false");
			active = -1;
		}
		function query() {
			var q = input.value.trim(), mine = ++seq;
			if (q.length < 3 || /^[0-9 ]{14,17}$/.test(q) && q.replace(/ /g, "").length === 14) {
				close();
				return;
			}
			fetch(url + "?q=" + encodeURIComponent(q) + "&limit=8", {
				credentials: "same-origin",
				headers: { "Accept": "application/json" }
			}).then(function (r) { return r.ok ? r.json() : { results: [] }; })
				.then(function (doc) { if (mine === seq) show(doc.results); })
				.catch(function () { close(); });
		}
		input.addEventListener("input", function () {
			name.textContent = "";
			clearTimeout(timer);
			timer = setTimeout(query, 200);
		});
		input.addEventListener("keydown", function (ev) {
			if (list.hidden) return;
			if (ev.key === "ArrowDown") { ev.preventDefault(); mark(Math.min(active + 1, items.length - 1)); }
			else if (ev.key === "ArrowUp") { ev.preventDefault(); mark(Math.max(active - 1, 0)); }
			else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); choose(active); }
			else if (ev.key === "Escape") { ev.preventDefault(); close(); }
		});
		input.addEventListener("blur", function () { setTimeout(close, 150); });
	}

	if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
	else init();
})();
