/* words: French word lists and text helpers for the synthetic data generator. */
#include "gen/words.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Word lists (most frequent first) --------------------------------------------- */

static const char *const first_f[] = {
	"Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sophie", "Christine",
	"Valérie", "Sandrine", "Céline", "Julie", "Stéphanie", "Véronique", "Anne", "Émilie",
	"Laurence", "Aurélie", "Caroline", "Camille", "Claire", "Hélène", "Virginie", "Karine",
	"Élodie", "Audrey", "Pauline", "Mélanie", "Florence", "Agnès", "Laure", "Léa",
	"Chloé", "Manon", "Sarah", "Lucie", "Mathilde", "Charlotte", "Juliette", "Inès",
	"Béatrice", "Corinne", "Françoise", "Martine", "Delphine", "Gaëlle", "Maëlle", "Solène",
	"Nadia", "Fatima", "Samira", "Amina", "Yasmine", "Clémence", "Margaux", "Océane",
};
static const char *const first_m[] = {
	"Jean", "Philippe", "Nicolas", "Michel", "Pierre", "Christophe", "Alain", "Patrick",
	"Laurent", "Stéphane", "Frédéric", "Sébastien", "David", "Julien", "Olivier", "Éric",
	"Thomas", "François", "Thierry", "Pascal", "Vincent", "Jérôme", "Antoine", "Alexandre",
	"Guillaume", "Maxime", "Romain", "Mathieu", "Benoît", "Cédric", "Damien", "Fabrice",
	"Hervé", "Bruno", "Yannick", "Gilles", "Didier", "Lucas", "Hugo", "Louis", "Arthur",
	"Paul", "Quentin", "Kévin", "Loïc", "Gaël", "Erwan", "Karim", "Mohamed", "Mehdi",
	"Rachid", "Joël", "Serge", "Xavier", "Raphaël",
};
static const char *const last[] = {
	"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois",
	"Moreau", "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David",
	"Bertrand", "Morel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine",
	"Rousseau", "Vincent", "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc",
	"Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia",
	"Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu",
	"Gautier", "Masson", "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire",
	"Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard", "Giraud", "Joly", "Rivière",
	"Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard", "Roche",
	"Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger",
	"Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe",
	"Bourgeois", "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq",
	"Guillaume", "Lecomte", "Lopez", "Jean", "Dupuy", "Guillot", "Hubert", "Berger",
	"Carpentier", "Sanchez", "Dupuis", "Moulin", "Louis", "Deschamps", "Huet", "Vasseur",
	"Perez", "Boucher", "Fleury", "Royer", "Klein", "Jacquet", "Adam", "Paris", "Poirier",
	"Marty", "Aubry", "Guyot", "Carré", "Charles", "Renault", "Charpentier", "Ménard",
	"Maillard", "Baron", "Bertin", "Bailly", "Hervé", "Schneider", "Fernandez", "Le Gall",
	"Collet", "Léger", "Bouvier", "Julien", "Prévost", "Millet", "Perrot", "Daniel",
	"Le Roux", "Cousin", "Germain", "Breton", "Besson", "Langlois", "Rémy", "Le Goff",
	"Pelletier", "Lévêque", "Perrier", "Leblanc", "Barré", "Lebrun", "Marchal", "Weber",
	"Mallet", "Hamon", "Boulanger", "Jacob", "Monnier", "Michaud", "Rodriguez", "Guichard",
	"Gillet", "Étienne", "Grondin", "Poulain", "Tessier", "Chevallier", "Collin", "Chauvin",
	"Da Silva", "Bouchet", "Gay", "Lemaître", "Benard", "Marechal", "Humbert", "Reynaud",
	"Antoine", "Hoarau", "Perret", "Barthélemy", "Cordier", "Pichon", "Lejeune", "Gilbert",
	"Lamy", "Delaunay", "Pasquier", "Carlier", "Laporte", "Nguyen", "Benali", "Haddad",
	"Le Bihan", "Kerbrat", "Quéré", "Tanguy", "Le Floch",
};
static const char *const street[] = {
	"DE LA REPUBLIQUE", "VICTOR HUGO", "JEAN JAURES", "DU GENERAL DE GAULLE", "DE LA GARE",
	"DES ECOLES", "PASTEUR", "DE L EGLISE", "DU MOULIN", "DE LA MAIRIE", "DE LA LIBERATION",
	"GAMBETTA", "JULES FERRY", "DE PARIS", "DU CHATEAU", "DES LILAS", "DU STADE",
	"NATIONALE", "DE LA PAIX", "DU 8 MAI 1945", "DU 11 NOVEMBRE", "CARNOT", "FOCH",
	"DU MARECHAL LECLERC", "SAINT MARTIN", "DES TILLEULS", "DU COMMERCE", "DE VERDUN",
	"DE LA FONTAINE", "DES ROSES", "JEAN MOULIN", "ALBERT CAMUS", "DE BRETAGNE",
	"DU PORT", "DES PRES", "DE LA POSTE", "DU PONT", "DES ACACIAS", "CLEMENCEAU",
	"ARISTIDE BRIAND", "EMILE ZOLA", "DES CHAMPS", "DE L INDUSTRIE", "DU GRAND PRE",
	"DES ARTISANS", "DE LA VALLEE", "DU BOURG", "DES VIGNES", "PIERRE ET MARIE CURIE",
	"LOUIS PASTEUR", "DE LA FORET", "DES PEUPLIERS", "DES CHENES", "DU CHEMIN VERT",
	"ANATOLE FRANCE", "GEORGES CLEMENCEAU", "DE LA CROIX", "DU PRESBYTERE", "DES JARDINS",
	"DU LAVOIR", "DE L AVENIR", "SADI CARNOT", "DU PARC", "DE LA RESISTANCE",
	"DE STRASBOURG", "DE LYON", "DES MARRONNIERS", "DE L ETANG", "DE LA PLAGE",
	"DU MARCHE", "DE LA CHAPELLE", "DES FLEURS", "DES SAULES", "DU CHAMP DE FOIRE",
	"DES CERISIERS", "DU VIEUX BOURG", "DE LA ZONE ARTISANALE", "JEAN BAPTISTE CLEMENT",
	"ROBERT SCHUMAN", "FRANCOIS MITTERRAND", "CHARLES DE GAULLE", "DES MIMOSAS",
};
static const char *const place[] = {
	"DU CENTRE", "DE LA GARE", "DU MARCHE", "DU PORT", "DE LA PLACE", "DU PARC",
	"DES HALLES", "DU CHATEAU", "DE LA MAIRIE", "DU LAC", "DE L OUEST", "DU SUD",
	"DE LA VALLEE", "DES COLLINES", "DU VIEUX PORT", "DU BOURG", "DE LA COTE",
	"DES ALPES", "DE L ATLANTIQUE", "DU LITTORAL",
};
static const char *const generic[] = {
	"SERVICES", "CONSEIL", "DISTRIBUTION", "GROUPE", "HOLDING", "INVEST", "SOLUTIONS",
	"DEVELOPPEMENT", "INDUSTRIE", "HORIZON", "AVENIR", "ATLANTIQUE", "ALPHA", "NOVA",
	"PATRIMOINE", "GESTION", "INNOVATION", "PREMIUM", "EUROPE", "FRANCE", "ETOILE",
	"ARCHE", "OCEAN", "LUMIERE", "EVOLUTION", "PERSPECTIVES", "TERRA", "AZUR", "MISTRAL",
	"ARGOAT", "ARMOR", "OPALE", "CEVENNES", "VOLCANS", "ESTEREL", "ACADIE", "KALI",
};
static const char *const fancy[] = {
	"AU BON ACCUEIL", "LES DELICES", "LE PETIT FOURNIL", "AU COIN GOURMAND",
	"LE RELAIS", "LA BONNE TABLE", "LE CAFE DU COMMERCE", "L ATELIER", "LE COMPTOIR",
	"LA PETITE EPICERIE", "AUX SAVEURS D ANTAN", "LE BISTROT", "LA CASCADE", "LE FOURNIL",
	"CHEZ NOUS", "LES TROIS EPIS", "L OLIVIER", "LE MOULIN", "LA FERME", "LES GOURMANDISES",
};
static const char *const address_extra[] = {
	"ZONE INDUSTRIELLE", "ZI DES PORTES", "ZA DU BOIS", "BATIMENT A", "PARC D ACTIVITES",
	"CENTRE COMMERCIAL", "LIEU DIT LA FORGE", "RESIDENCE LES PINS", "ZAC DES CHAMPS",
	"IMMEUBLE LE TRIANON", "LE BOURG", "HAMEAU DU VAL",
};
static const char *const worksite[] = {
	"Construction de logements collectifs", "Réhabilitation d'un immeuble",
	"Construction d'une maison individuelle", "Rénovation de toiture",
	"Extension d'un groupe scolaire", "Démolition d'un entrepôt",
	"Désamiantage d'un bâtiment tertiaire", "Construction d'un supermarché",
	"Ravalement de façade", "Voirie et réseaux divers", "Construction d'un EHPAD",
	"Aménagement d'une zone d'activités", "Réfection d'un ouvrage d'art",
	"Construction d'une salle de sport",
};

static const struct {
	const char *const *w;
	size_t n;
} lists[WORDS_LIST_COUNT] = {
	[WORDS_FIRST_F] = {first_f, COUNT(first_f)},
	[WORDS_FIRST_M] = {first_m, COUNT(first_m)},
	[WORDS_LAST] = {last, COUNT(last)},
	[WORDS_STREET] = {street, COUNT(street)},
	[WORDS_PLACE] = {place, COUNT(place)},
	[WORDS_GENERIC] = {generic, COUNT(generic)},
	[WORDS_FANCY] = {fancy, COUNT(fancy)},
	[WORDS_ADDRESS_EXTRA] = {address_extra, COUNT(address_extra)},
	[WORDS_WORKSITE] = {worksite, COUNT(worksite)},
};

size_t words_zipf(struct rng *r, size_t n)
{
	return words_zipf_k(r, n, 1.0);
}

size_t words_zipf_k(struct rng *r, size_t n, double k)
{
	/* Inverse of the continuous law with density 1/(x+k) on [0, n):
	 * P(i) = ln((i+1+k)/(i+k)) / ln((n+k)/k), Zipf with exponent 1 shifted by k. */
	double x = k * exp(rng_double(r) * log(((double)n + k) / k)) - k;
	size_t i = (size_t)x;

	return i < n ? i : n - 1;
}

const char *words_pick(struct rng *r, enum words_list which)
{
	/* The shift flattens the head where real frequencies are flatter (surnames). */
	static const double shift[WORDS_LIST_COUNT] = {
		[WORDS_FIRST_F] = 6, [WORDS_FIRST_M] = 6, [WORDS_LAST] = 25, [WORDS_STREET] = 2,
		[WORDS_PLACE] = 2, [WORDS_GENERIC] = 4, [WORDS_FANCY] = 4, [WORDS_ADDRESS_EXTRA] = 2,
		[WORDS_WORKSITE] = 3,
	};

	if ((unsigned)which >= WORDS_LIST_COUNT)
		return "";
	return lists[which].w[words_zipf_k(r, lists[which].n, shift[which])];
}

/* ---- Long-tail names ----------------------------------------------------------- */

/* Parts that join into plausible French surnames: 84 x (1 + 28) x 42 = 102,312
 * spellings before the rare clashes ("BER" + "" + "AND" = "Berand"). */
static const char *const sur_head[] = {
	"Bar", "Bel", "Ber", "Bil", "Boi", "Bon", "Bou", "Bri", "Bro", "Cha", "Che", "Cla",
	"Cou", "Cro", "Dal", "Del", "Des", "Dub", "Duc", "Dup", "Dur", "Fab", "Fer", "Fon",
	"Fou", "Gal", "Gar", "Gau", "Ger", "Gir", "God", "Gra", "Gue", "Gui", "Heb", "Jac",
	"Jol", "Lab", "Lac", "Laf", "Lam", "Lan", "Lar", "Lau", "Leb", "Lec", "Lef", "Leg",
	"Lem", "Lep", "Ler", "Lev", "Mal", "Mar", "Mas", "Men", "Mer", "Mic", "Mor", "Mou",
	"Noi", "Oli", "Pas", "Pel", "Per", "Pic", "Poi", "Pou", "Ray", "Ren", "Ric", "Rob",
	"Roc", "Rou", "Sab", "Sau", "Tes", "Thi", "Tou", "Val", "Vas", "Ver", "Vil", "Vin",
};
static const char *const sur_mid[] = {
	"an", "ar", "el", "er", "id", "il", "in", "ol", "or", "ou", "al", "en", "ign", "ill",
	"iss", "art", "ern", "aud", "ev", "av", "et", "as", "on", "ur", "am", "ich", "oss", "ag",
};
static const char *const sur_tail[] = {
	"and", "ard", "aud", "ault", "aux", "eau", "el", "er", "et", "eux", "ier", "in", "ine",
	"iot", "is", "ois", "on", "ot", "oux", "oud", "y", "ac", "at", "ert", "iau", "illon",
	"igny", "enne", "erre", "ain", "ay", "eron", "ette", "euil", "iou", "an", "ec", "olle",
	"ouet", "ade", "eix", "ez",
};
/* Brand-like words: 24 x 22 x 10 = 5,280. */
static const char *const brand_head[] = {
	"AL", "NEO", "VI", "TEC", "SO", "EX", "OP", "AX", "IN", "KA", "MA", "LU",
	"ZE", "EVO", "ORA", "PRO", "SYN", "ARK", "OM", "VER", "DY", "QUA", "ELI", "TRI",
};
static const char *const brand_mid[] = {
	"TEX", "VIA", "LIS", "NOR", "GEN", "TIS", "MED", "RA", "LYS", "CAP", "DIS",
	"COM", "TRA", "VAL", "NOV", "LIN", "SER", "BAT", "MAR", "CIL", "TON", "PLE",
};
static const char *const brand_tail[] = {"", "IA", "EO", "IS", "A", "O", "UM", "EX", "ON", "ALIS"};

const char *words_surname(struct rng *r, char *buf, size_t max)
{
	if (rng_chance(r, 0.3))
		return words_pick(r, WORDS_LAST);
	const char *h = sur_head[rng_below(r, COUNT(sur_head))];
	size_t m = (size_t)rng_below(r, COUNT(sur_mid) + 1);
	const char *t = sur_tail[rng_below(r, COUNT(sur_tail))];

	snprintf(buf, max, "%s%s%s", h, m < COUNT(sur_mid) ? sur_mid[m] : "", t);
	return buf;
}

const char *words_brand(struct rng *r, char *buf, size_t max)
{
	snprintf(buf, max, "%s%s%s", brand_head[rng_below(r, COUNT(brand_head))],
	         brand_mid[rng_below(r, COUNT(brand_mid))], brand_tail[rng_below(r, COUNT(brand_tail))]);
	return buf;
}

/* ---- Street types ----------------------------------------------------------------- */

static const struct words_street_type street_types[] = {
	{"RUE", "rue"}, {"AV", "avenue"}, {"BD", "boulevard"}, {"RTE", "route"},
	{"PL", "place"}, {"CHE", "chemin"}, {"ALL", "allée"}, {"IMP", "impasse"},
	{"QUAI", "quai"}, {"CRS", "cours"}, {"SQ", "square"}, {"PAS", "passage"},
};

const struct words_street_type *words_street_type(struct rng *r)
{
	/* RUE is about half of SIRENE's addresses: a sharper skew than the Zipf draw. */
	if (rng_chance(r, 0.45))
		return &street_types[0];
	return &street_types[words_zipf(r, COUNT(street_types))];
}

/* ---- Activities ------------------------------------------------------------------- */

static const struct {
	const char *prefix;        /* NAF code prefix */
	const char *words[4];
} activities[] = {
	{"10.71", {"BOULANGERIE", "BOULANGERIE PATISSERIE", "LE FOURNIL", "PATISSERIE"}},
	{"10.13", {"CHARCUTERIE", "SALAISONS", NULL, NULL}},
	{"47.22", {"BOUCHERIE", "BOUCHERIE CHARCUTERIE", NULL, NULL}},
	{"56.10A", {"RESTAURANT", "BRASSERIE", "BISTROT", "AUBERGE"}},
	{"56.10C", {"PIZZA", "SNACK", "KEBAB", "BURGER"}},
	{"56.30", {"BAR", "CAFE", "LE BAR TABAC", NULL}},
	{"55.10", {"HOTEL", "HOTEL RESTAURANT", NULL, NULL}},
	{"47.11", {"SUPERETTE", "ALIMENTATION", "EPICERIE", "PROXI"}},
	{"47.73", {"PHARMACIE", NULL, NULL, NULL}},
	{"47.7", {"BOUTIQUE", "MAISON", NULL, NULL}},
	{"41.20", {"CONSTRUCTION", "BATIMENT", "BTP", NULL}},
	{"43.21", {"ELECTRICITE", "ELEC", "ELECTRICITE GENERALE", NULL}},
	{"43.22", {"PLOMBERIE", "CHAUFFAGE", "PLOMBERIE CHAUFFAGE", "SANITAIRE"}},
	{"43.31", {"PLATRERIE", "PLAQUISTE", NULL, NULL}},
	{"43.32", {"MENUISERIE", "CHARPENTE MENUISERIE", NULL, NULL}},
	{"43.34", {"PEINTURE", "DECORATION", "PEINTURE DECORATION", NULL}},
	{"43.91", {"COUVERTURE", "TOITURE", "ZINGUERIE", NULL}},
	{"43.99", {"MACONNERIE", "MACONNERIE GENERALE", "RENOVATION", NULL}},
	{"43", {"BATIMENT", "RENOVATION", "TRAVAUX", NULL}},
	{"45.20", {"GARAGE", "AUTO SERVICES", "CARROSSERIE", NULL}},
	{"49.41", {"TRANSPORTS", "LOGISTIQUE", NULL, NULL}},
	{"49.32", {"TAXI", "TAXIS", NULL, NULL}},
	{"96.02", {"COIFFURE", "SALON DE COIFFURE", "INSTITUT", "BEAUTE"}},
	{"68", {"SCI", "SCI", "SCI", "IMMOBILIER"}},
	{"86", {"CABINET", "CENTRE MEDICAL", "CABINET MEDICAL", NULL}},
	{"62", {"INFORMATIQUE", "DIGITAL", "SYSTEMES", NULL}},
	{"70.22", {"CONSEIL", "CONSULTING", NULL, NULL}},
	{"69.20", {"EXPERTISE COMPTABLE", "AUDIT", NULL, NULL}},
	{"81.21", {"NETTOYAGE", "PROPRETE", "SERVICES NETTOYAGE", NULL}},
	{"81.30", {"PAYSAGES", "JARDINS", "ESPACES VERTS", NULL}},
	{"01", {"EARL", "GAEC", "FERME", "DOMAINE"}},
	{"85", {"FORMATION", "ECOLE", "INSTITUT", NULL}},
	{"93", {"CLUB", "SPORT", "FITNESS", NULL}},
	{"88", {"AIDE A DOMICILE", "SERVICES A LA PERSONNE", NULL, NULL}},
	{"46", {"DISTRIBUTION", "NEGOCE", "COMMERCE", NULL}},
	{"25", {"METALLERIE", "MECANIQUE", "CHAUDRONNERIE", NULL}},
};

const char *words_activity(struct rng *r, const char *naf)
{
	for (size_t i = 0; i < COUNT(activities); i++) {
		size_t n = 0;

		if (strncmp(naf, activities[i].prefix, strlen(activities[i].prefix)) != 0)
			continue;
		while (n < 4 && activities[i].words[n])
			n++;
		return activities[i].words[words_zipf(r, n)];
	}
	return NULL;
}

/* ---- Legal provisions ------------------------------------------------------------- */

static const struct {
	const char *theme;
	const char *articles[6];
} provisions[] = {
	{"ss_chutes_hauteur", {"R.4323-58", "R.4323-59", "R.4323-61", "R.4323-69", "L.4121-1"}},
	{"ss_amiante", {"R.4412-97", "R.4412-100", "R.4412-133", "L.4412-2", "R.4412-110"}},
	{"ss_chimique", {"R.4412-5", "R.4412-6", "R.4412-38", "R.4412-149", "L.4412-1"}},
	{"ss_machines", {"R.4321-1", "R.4324-1", "L.4321-1", "R.4322-1", "L.4311-1"}},
	{"ss_evaluation_risques", {"R.4121-1", "R.4121-2", "L.4121-3", "L.4121-2", "L.4121-1"}},
	{"ss_rps", {"L.4121-1", "L.4121-2", "L.1152-4", "R.4121-1"}},
	{"ss_electrique", {"R.4544-9", "R.4544-10", "R.4226-5", "R.4215-3"}},
	{"ss_lieux_travail", {"R.4228-1", "R.4228-10", "R.4225-1", "R.4222-1", "R.4223-13"}},
	{"ss_vehicules", {"R.4323-55", "R.4541-3", "R.4541-5", "R.4323-56"}},
	{"ti_dissimulation", {"L.8221-1", "L.8221-3", "L.8221-5", "L.1221-10", "L.8224-1"}},
	{"ti_detachement", {"L.1262-2-1", "L.1263-7", "L.1264-1", "R.1263-1", "L.1262-4"}},
	{"ti_pret_illicite", {"L.8241-1", "L.8231-1", "L.8243-1"}},
	{"ti_etrangers", {"L.8251-1", "L.5221-8", "L.8256-2"}},
	{"rc_cse", {"L.2311-2", "L.2317-1", "L.2312-8", "L.2315-27"}},
	{"rc_syndical", {"L.2141-5", "L.2146-1", "L.2142-1"}},
	{"rc_negociation", {"L.2242-1", "L.2243-1", "L.2242-8"}},
	{"ri_contrat", {"L.1242-12", "L.1242-2", "L.1221-10", "L.1248-2", "L.1251-6"}},
	{"ri_discrimination", {"L.1132-1", "L.1142-1", "L.3221-2", "L.1142-8"}},
	{"ri_harcelement", {"L.1152-1", "L.1153-1", "L.1152-4", "L.1153-5"}},
	{"ri_rupture", {"L.1232-2", "L.2411-1", "L.1237-11", "L.1233-61"}},
	{"ds_duree", {"L.3121-18", "L.3121-20", "L.3131-1", "L.3132-2", "L.3132-3"}},
	{"ds_salaire", {"L.3231-2", "L.3242-1", "R.3243-1", "L.3243-2"}},
	{"ds_decompte", {"L.3171-2", "D.3171-8", "L.3171-4", "L.3171-1"}},
	{"ef_apprentissage", {"L.4153-8", "D.4153-15", "L.6222-25", "L.6223-5"}},
	{"ef_formation", {"L.6321-1", "L.6315-1", "L.6323-13"}},
	{"ef_handicap", {"L.5212-2", "L.5212-5"}},
};

static const char *const general_provisions[] = {
	"L.4121-1", "L.4121-2", "R.4121-1", "L.8221-1", "L.3171-2", "L.1221-10",
};

const char *words_provision(struct rng *r, const char *theme)
{
	for (size_t i = 0; theme && i < COUNT(provisions); i++) {
		size_t n = 0;

		if (strcmp(theme, provisions[i].theme) != 0)
			continue;
		while (n < 6 && provisions[i].articles[n])
			n++;
		return provisions[i].articles[words_zipf(r, n)];
	}
	return general_provisions[words_zipf(r, COUNT(general_provisions))];
}

/* ---- Notes ------------------------------------------------------------------------ */

static const struct {
	const char *theme;         /* a theme code, or a kind code, or "" for any */
	const char *sentences[4];
} notes[] = {
	{"ss_chutes_hauteur", {"Garde-corps absents en rive de plancher au R+2.",
	                       "Échafaudage sans plinthes ni lisses, montage non vérifié.",
	                       "Travail sur toiture sans protection collective.",
	                       "Trémies non protégées au niveau des planchers."}},
	{"ss_amiante", {"Repérage amiante avant travaux non présenté.",
	                "Zone de retrait non confinée, pas de mesure d'empoussièrement.",
	                "Plan de retrait transmis mais non respecté sur site.",
	                "Salariés sans formation SS4 sur le chantier."}},
	{"ss_chimique", {"Fiches de données de sécurité absentes.",
	                 "Pas d'aspiration à la source au poste de ponçage.",
	                 "Stockage de produits CMR sans inventaire.", NULL}},
	{"ss_machines", {"Protecteur de la scie circulaire neutralisé.",
	                 "Presse sans dispositif de protection, vérification périodique absente.",
	                 "Accès aux éléments mobiles non empêché.", NULL}},
	{"ss_evaluation_risques", {"Document unique non mis à jour depuis plusieurs années.",
	                           "DUERP absent, explications données à l'employeur.",
	                           "Évaluation des risques incomplète (risque routier).", NULL}},
	{"ss_rps", {"Plusieurs salariés font état d'une charge de travail excessive.",
	            "Arrêts maladie en hausse dans le service, entretiens menés.", NULL, NULL}},
	{"ti_dissimulation", {"Deux salariés présents sans DPAE.",
	                      "Heures non déclarées relevées sur le planning.",
	                      "Salarié présenté comme bénévole, lien de subordination établi.",
	                      NULL}},
	{"ti_detachement", {"Déclaration de détachement absente pour trois salariés.",
	                    "Pas de représentant en France désigné.",
	                    "Carte BTP non présentée par les salariés détachés.", NULL}},
	{"ds_duree", {"Amplitudes de travail supérieures à 13 heures relevées.",
	              "Repos hebdomadaire non respecté en saison.",
	              "Registre des horaires non tenu.", NULL}},
	{"ds_decompte", {"Aucun décompte de la durée du travail pour les salariés en horaires "
	                 "individualisés.", "Décompte incomplet, demande de pièces.", NULL, NULL}},
	{"ds_salaire", {"Heures supplémentaires non majorées.",
	                "Bulletins de paie non conformes.", NULL, NULL}},
	{"rc_cse", {"CSE non mis en place malgré l'effectif.",
	            "Réunion du CSE consacrée au projet de réorganisation.",
	            "Procès-verbal de carence non transmis.", NULL}},
	{"ri_harcelement", {"Signalement de faits de harcèlement, audition de salariés.",
	                    "Enquête interne non réalisée par l'employeur.", NULL, NULL}},
	{"enquete_at", {"Chute depuis un escabeau, salarié hospitalisé.",
	                "Salarié happé par un convoyeur.", "Renversement d'un chariot élévateur.",
	                "Coupure grave lors de l'utilisation d'une machine."}},
	{"enquete_mp", {"Déclaration de maladie professionnelle (TMS), analyse des postes.",
	                "Exposition ancienne à l'amiante, recherche des employeurs successifs.",
	                NULL, NULL}},
	{"reunion_irp", {"Participation à la réunion extraordinaire du CSE.",
	                 "Réunion du CSSCT après accident.", NULL, NULL}},
	{"examen_demande", {"Demande d'autorisation de licenciement d'un salarié protégé.",
	                    "Demande de dérogation au repos dominical.",
	                    "Demande de dérogation à la durée maximale du travail.", NULL}},
	{"", {"Contrôle réalisé en présence du gérant.", "Documents demandés par courriel.",
	      "Situation régularisée pendant le contrôle.", "Suite à donner après réception "
	      "des pièces."}},
};

static const char *note_sentence(struct rng *r, const char *key)
{
	for (size_t i = 0; key && i < COUNT(notes); i++) {
		size_t n = 0;

		if (strcmp(notes[i].theme, key) != 0)
			continue;
		while (n < 4 && notes[i].sentences[n])
			n++;
		return n ? notes[i].sentences[rng_below(r, n)] : NULL;
	}
	return NULL;
}

void words_note(struct rng *r, const char *kind, const char *theme, char *out, size_t max)
{
	const char *a = note_sentence(r, kind), *b = note_sentence(r, theme);
	const char *c = note_sentence(r, "");

	if (max == 0)
		return;
	if (a && b)
		snprintf(out, max, "%s %s", a, b);
	else if (a || b)
		snprintf(out, max, "%s %s", a ? a : b, c);
	else
		snprintf(out, max, "%s", c);
}

/* ---- Diseases --------------------------------------------------------------------- */

static const char *const disease_tables[] = {
	"57", "98", "97", "30", "30bis", "42", "65", "79", "66", "4", "25", "69",
};

const char *words_disease_table(struct rng *r)
{
	if (rng_chance(r, 0.8))
		return disease_tables[0];
	return disease_tables[1 + words_zipf(r, COUNT(disease_tables) - 1)];
}

/* ---- Campaigns -------------------------------------------------------------------- */

static const struct words_campaign national[] = {
	{"CHUTES", "Prévention des chutes de hauteur",
	 {"ss_chutes_hauteur", NULL, NULL},
	 {"Protections collectives en rive", "Échafaudages conformes et vérifiés",
	  "Moyens d'accès en hauteur", "Trémies et ouvertures protégées",
	  "Formation au travail en hauteur", NULL},
	 {41, 43, 42, 0, 0, 0}, 3.0},
	{"AMIANTE", "Prévention du risque amiante",
	 {"ss_amiante", NULL, NULL},
	 {"Repérage avant travaux", "Plan de retrait ou mode opératoire",
	  "Formation des opérateurs", "Mesures d'empoussièrement", NULL, NULL},
	 {43, 41, 39, 0, 0, 0}, 2.0},
	{"TI", "Lutte contre le travail illégal",
	 {"ti_dissimulation", "ti_etrangers", NULL},
	 {"Déclarations préalables à l'embauche", "Registre unique du personnel",
	  "Vérification des titres de travail", "Sous-traitance et vigilance", NULL, NULL},
	 {56, 43, 49, 1, 81, 96}, 3.0},
	{"DETACH", "Contrôle des prestations de services internationales",
	 {"ti_detachement", NULL, NULL},
	 {"Déclaration de détachement (SIPSI)", "Représentant en France",
	  "Rémunération et durée du travail des détachés", "Carte BTP",
	  "Hébergement des salariés", NULL},
	 {43, 41, 1, 10, 49, 0}, 2.0},
	{"EGALITE", "Égalité professionnelle entre les femmes et les hommes",
	 {"ri_discrimination", NULL, NULL},
	 {"Index de l'égalité publié", "Accord ou plan d'action", "Mesures de correction",
	  NULL, NULL, NULL},
	 {0, 0, 0, 0, 0, 0}, 1.0},
	{"RPS", "Prévention des risques psychosociaux",
	 {"ss_rps", "ss_evaluation_risques", NULL},
	 {"RPS dans le document unique", "Plan de prévention", "Consultation du CSE",
	  NULL, NULL, NULL},
	 {86, 87, 88, 64, 47, 0}, 1.0},
	{"CHIMIQUE", "Prévention des expositions aux agents chimiques dangereux",
	 {"ss_chimique", NULL, NULL},
	 {"Inventaire des produits", "Évaluation du risque chimique",
	  "Captage à la source", "Suivi des expositions", NULL, NULL},
	 {45, 25, 20, 22, 96, 0}, 1.0},
};

static const struct words_campaign regional[] = {
	{"SAISON", "Conditions de travail des saisonniers",
	 {"ds_duree", "ri_contrat", NULL},
	 {"Contrats saisonniers écrits", "Repos hebdomadaire", "Hébergement", NULL, NULL, NULL},
	 {55, 56, 1, 93, 0, 0}, 2.0},
	{"AGRI", "Sécurité des travaux agricoles",
	 {"ss_machines", "ss_vehicules", NULL},
	 {"Protection des arbres à cardans", "Structures de protection des tracteurs",
	  "Formation à la conduite", NULL, NULL, NULL},
	 {1, 2, 0, 0, 0, 0}, 1.0},
	{"DUREE", "Durée du travail dans le commerce",
	 {"ds_duree", "ds_decompte", NULL},
	 {"Décompte du temps de travail", "Travail du dimanche", "Repos quotidien", NULL,
	  NULL, NULL},
	 {47, 56, 45, 0, 0, 0}, 1.5},
	{"JEUNES", "Santé et sécurité des jeunes travailleurs",
	 {"ef_apprentissage", NULL, NULL},
	 {"Déclaration de dérogation travaux interdits", "Encadrement de l'apprenti",
	  "Formation à la sécurité", NULL, NULL, NULL},
	 {10, 43, 56, 45, 96, 0}, 1.0},
	{"LOGIST", "Risques dans la logistique",
	 {"ss_vehicules", "ss_machines", NULL},
	 {"Plan de circulation", "Autorisation de conduite des chariots",
	  "Quais de chargement", "Manutention manuelle", NULL, NULL},
	 {52, 49, 46, 0, 0, 0}, 1.0},
};

const struct words_campaign *words_campaigns(int nat, size_t *n)
{
	*n = nat ? COUNT(national) : COUNT(regional);
	return nat ? national : regional;
}

/* ---- Folding ---------------------------------------------------------------------- */

/* The ASCII letter(s) for one French accented letter encoded as two UTF-8 bytes
 * (c1 c2), upper case; NULL when it is not one. */
static const char *fold2(unsigned char c1, unsigned char c2)
{
	static const struct {
		unsigned char c1, c2;
		const char *to;
	} map[] = {
		{0xc3, 0xa0, "A"}, {0xc3, 0xa2, "A"}, {0xc3, 0xa4, "A"}, {0xc3, 0xa7, "C"},
		{0xc3, 0xa8, "E"}, {0xc3, 0xa9, "E"}, {0xc3, 0xaa, "E"}, {0xc3, 0xab, "E"},
		{0xc3, 0xae, "I"}, {0xc3, 0xaf, "I"}, {0xc3, 0xb4, "O"}, {0xc3, 0xb6, "O"},
		{0xc3, 0xb9, "U"}, {0xc3, 0xbb, "U"}, {0xc3, 0xbc, "U"}, {0xc3, 0xbf, "Y"},
		{0xc3, 0x80, "A"}, {0xc3, 0x82, "A"}, {0xc3, 0x84, "A"}, {0xc3, 0x87, "C"},
		{0xc3, 0x88, "E"}, {0xc3, 0x89, "E"}, {0xc3, 0x8a, "E"}, {0xc3, 0x8b, "E"},
		{0xc3, 0x8e, "I"}, {0xc3, 0x8f, "I"}, {0xc3, 0x94, "O"}, {0xc3, 0x96, "O"},
		{0xc3, 0x99, "U"}, {0xc3, 0x9b, "U"}, {0xc3, 0x9c, "U"}, {0xc3, 0xa6, "AE"},
		{0xc3, 0x86, "AE"}, {0xc5, 0x93, "OE"}, {0xc5, 0x92, "OE"}, {0xc3, 0xb1, "N"},
	};

	for (size_t i = 0; i < COUNT(map); i++)
		if (map[i].c1 == c1 && map[i].c2 == c2)
			return map[i].to;
	return NULL;
}

/* Appends the folded form of s to out; lower selects lower case and login rules. */
static size_t fold(const char *s, char *out, size_t max, int lower)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	if (max == 0)
		return 0;
	while (*p && n + 2 < max) {
		const char *to = NULL;
		char one[2] = {0, 0};

		if (*p < 0x80) {
			one[0] = (char)*p++;
			to = one;
		} else if (p[1] && (to = fold2(p[0], p[1])) != NULL) {
			p += 2;
		} else {
			/* Skip one whole UTF-8 sequence. */
			p++;
			while ((*p & 0xc0) == 0x80)
				p++;
			continue;
		}
		for (; *to && n + 1 < max; to++) {
			char c = *to;

			if (lower) {
				if (c >= 'A' && c <= 'Z')
					c = (char)(c - 'A' + 'a');
				if (c == ' ' || c == '\'' || c == '-')
					c = '-';
				else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
					continue;
			} else if (c >= 'a' && c <= 'z') {
				c = (char)(c - 'a' + 'A');
			} else if (c == '\'') {
				c = ' ';
			}
			out[n++] = c;
		}
	}
	out[n] = '\0';
	return n;
}

size_t words_upper_ascii(const char *s, char *out, size_t max)
{
	return fold(s, out, max, 0);
}

size_t words_login_part(const char *s, char *out, size_t max)
{
	return fold(s, out, max, 1);
}
