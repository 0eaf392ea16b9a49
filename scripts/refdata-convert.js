// Converts the unpacked npm reference packages into data/*.tsv (see scripts/refdata-fetch).
'use strict';
const fs = require('fs');
const path = require('path');
const [src, out] = process.argv.slice(2);
const load = (p) => JSON.parse(fs.readFileSync(path.join(src, p), 'utf8'));
const clean = (s) => String(s).replace(/[\t\r\n]/g, ' ');
const write = (name, header, rows) => {
  const lines = [header.join('\t')].concat(rows.map((r) => r.map(clean).join('\t')));
  fs.writeFileSync(path.join(out, name), lines.join('\n') + '\n');
};
const da = 'etalab-decoupage-administratif-6.0.0/package/data/';

const regions = load(da + 'regions.json');
write('regions.tsv', ['code', 'name'],
  regions.map((r) => [r.code, r.nom]));

const deps = load(da + 'departements.json');
write('departments.tsv', ['code', 'region', 'name'],
  deps.map((d) => [d.code, d.region, d.nom]));

// SIRENE uses the municipal arrondissements of Paris, Lyon and Marseille as commune
// codes, so they are kept beside the current communes; delegated and associated
// communes are not used by SIRENE and are left out.
const communes = load(da + 'communes.json').filter((c) =>
  c.type === 'commune-actuelle' || c.type === 'arrondissement-municipal');
communes.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
write('communes.tsv', ['code', 'department', 'region', 'population', 'name'],
  communes.filter((c) => c.departement && c.region).map((c) =>
    [c.code, c.departement, c.region, c.population || 0, c.nom]));

const cp = load('codes-postaux-4.1.2/package/codes-postaux.json');
const seen = new Set();
const pcs = [];
for (const p of cp) {
  const k = p.codePostal + '\t' + p.codeCommune;
  if (seen.has(k)) continue;
  seen.add(k);
  pcs.push([p.codePostal, p.codeCommune, p.libelleAcheminement]);
}
pcs.sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1));
write('postcodes.tsv', ['postcode', 'commune', 'delivery_name'], pcs);

// NAF rev.2: the package holds divisions (NN), groups (NN.N), classes (NN.NN) and
// sub-classes (NN.NNL). Sections (A-U) follow from the division ranges below
// (INSEE's published nomenclature).
const sections = [
  ['A', 1, 3, 'Agriculture, sylviculture et pêche'],
  ['B', 5, 9, 'Industries extractives'],
  ['C', 10, 33, 'Industrie manufacturière'],
  ['D', 35, 35, "Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné"],
  ['E', 36, 39, "Production et distribution d'eau ; assainissement, gestion des déchets et dépollution"],
  ['F', 41, 43, 'Construction'],
  ['G', 45, 47, "Commerce ; réparation d'automobiles et de motocycles"],
  ['H', 49, 53, 'Transports et entreposage'],
  ['I', 55, 56, 'Hébergement et restauration'],
  ['J', 58, 63, 'Information et communication'],
  ['K', 64, 66, "Activités financières et d'assurance"],
  ['L', 68, 68, 'Activités immobilières'],
  ['M', 69, 75, 'Activités spécialisées, scientifiques et techniques'],
  ['N', 77, 82, 'Activités de services administratifs et de soutien'],
  ['O', 84, 84, 'Administration publique'],
  ['P', 85, 85, 'Enseignement'],
  ['Q', 86, 88, 'Santé humaine et action sociale'],
  ['R', 90, 93, 'Arts, spectacles et activités récréatives'],
  ['S', 94, 96, 'Autres activités de services'],
  ['T', 97, 98, "Activités des ménages en tant qu'employeurs ; activités indifférenciées des ménages en tant que producteurs de biens et services pour usage propre"],
  ['U', 99, 99, 'Activités extra-territoriales'],
];
const sectionOf = (div) => {
  const n = parseInt(div, 10);
  const s = sections.find((x) => n >= x[1] && n <= x[2]);
  if (!s) throw new Error('no section for division ' + div);
  return s[0];
};
const naf = load('socialgouv-codes-naf-1.1.1/package/index.json');
const level = (id) => ({ 2: 'division', 4: 'group', 5: 'class', 6: 'subclass' }[id.length]);
const rows = sections.map((s) => [s[0], 'section', '', s[3]]);
for (const n of naf) {
  const lv = level(n.id);
  if (!lv) throw new Error('unexpected NAF id ' + n.id);
  rows.push([n.id, lv, sectionOf(n.id.slice(0, 2)), n.label]);
}
write('naf.tsv', ['code', 'level', 'section', 'label'], rows);
