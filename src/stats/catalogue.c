/* catalogue: the one list of published tables. Every table exists at the four
 * organisation levels (national, region, department, control unit; never section or
 * agent) and for three periods (the month, the year to date, the quarter once complete). */
#include "stats/stats.h"

#include <string.h>

const struct stats_table stats_catalogue[] = {
    {"activite", "Interventions", STATS_DIM_NONE, STATS_M_INTERVENTIONS, 1, STATS_LINK_NONE, NULL,
     "Nombre d'interventions validées (hors brouillons), datées dans la période, "
     "comptées dans l'unité de la section de leur auteur à cette date.", 0},
    {"activite_nature", "Interventions par nature", STATS_DIM_KIND, STATS_M_INTERVENTIONS, 1,
     STATS_LINK_MARGIN, "activite",
     "Interventions selon leur nature (une seule par "
     "intervention) : la somme des natures est le total des interventions.", 1},
    {"visites", "Visites sur site", STATS_DIM_NONE, STATS_M_VISITS, 1, STATS_LINK_LE, "activite",
     "Interventions avec présence physique sur le lieu de travail (visites au sens de "
     "l'OIT).", 0},
    {"etablissements", "Établissements contrôlés", STATS_DIM_NONE, STATS_M_ESTABLISHMENTS, 0,
     STATS_LINK_LE, "activite",
     "Nombre d'établissements (ou de chantiers) distincts ayant fait "
     "l'objet d'au moins une intervention ; un établissement contrôlé par deux unités compte "
     "une fois à l'échelon supérieur (pas d'additivité).", 0},
    {"activite_theme", "Interventions par thème", STATS_DIM_THEME, STATS_M_INTERVENTIONS, 1,
     STATS_LINK_LE, "activite",
     "Interventions ayant au moins un thème relevant du thème de "
     "premier niveau ; une intervention peut compter dans plusieurs thèmes. « aucun » : sans "
     "thème renseigné (mesure de complétude).", 1},
    {"activite_naf", "Interventions par activité (NAF, A10)", STATS_DIM_NAF, STATS_M_INTERVENTIONS,
     1, STATS_LINK_MARGIN, "activite",
     "Interventions selon l'activité de l'établissement (sections NAF rév. 2 "
     "regroupées en A10 : AZ, BE, FZ, GI, JZ, KZ, LZ, MN, OQ, RU) ; « ZZ » : chantier ou "
     "activité inconnue.", 1},
    {"activite_effectif", "Interventions par tranche d'effectif", STATS_DIM_BAND,
     STATS_M_INTERVENTIONS, 1, STATS_LINK_MARGIN, "activite",
     "Interventions selon la tranche "
     "d'effectif salarié de l'établissement (SIRENE, regroupée : 0, 1-9, 10-49, 50-249, 250 et "
     "plus) ; « NN » : non renseignée ou chantier.", 1},
    {"suites", "Suites par nature", STATS_DIM_FOLLOWUP, STATS_M_FOLLOWUPS, 1, STATS_LINK_NONE, NULL,
     "Nombre de suites (hors brouillons) données aux interventions de la période, "
     "selon leur nature.", 1},
    {"suites_theme", "Suites par thème", STATS_DIM_THEME, STATS_M_FOLLOWUPS_THEME, 1,
     STATS_LINK_COVER, "suites",
     "Nombre de suites (hors brouillons) données aux interventions de la période ayant au "
     "moins un thème relevant du thème de premier niveau ; une intervention à deux thèmes "
     "compte ses suites dans les deux. « aucun » : interventions sans thème renseigné.", 1},
    {"action_prioritaire", "Interventions sur action prioritaire", STATS_DIM_ACTION,
     STATS_M_ACTION_HONEST, 1, STATS_LINK_LE, "activite",
     "Interventions rattachées à une "
     "action prioritaire dont au moins un point de contrôle a été renseigné conforme ou non "
     "conforme ; une case cochée sans vérification ne compte pas.", 1},
    {"action_sans_point", "Interventions sur action sans point vérifié", STATS_DIM_NONE,
     STATS_M_ACTION_UNCHECKED, 1, STATS_LINK_LE, "activite",
     "Interventions rattachées à une action prioritaire dont aucun point de contrôle n'a été "
     "renseigné conforme ou non conforme : elles ne comptent dans aucune action (mesure de "
     "complétude : une case cochée sans vérification).", 1},
    {"points_verifies", "Points de contrôle vérifiés", STATS_DIM_ACTION, STATS_M_POINTS_CHECKED, 1,
     STATS_LINK_NONE, NULL,
     "Points de contrôle d'actions "
     "prioritaires renseignés conformes ou non conformes.", 1},
    {"points_non_conformes", "Points de contrôle non conformes", STATS_DIM_ACTION,
     STATS_M_POINTS_NC, 1, STATS_LINK_LE, "points_verifies",
     "Points de contrôle d'actions "
     "prioritaires renseignés non conformes.", 1},
};
const size_t stats_catalogue_len = sizeof stats_catalogue / sizeof stats_catalogue[0];

/* The legend of every page, export and API answer that shows released cells. */
const char stats_legend_secret_fr[] =
    "« secret » : chiffre masqué parce qu'il permettrait de connaître l'activité d'un agent "
    "(moins de 3 agents, un ou deux agents prépondérants, zéro dans une unité de moins de 3 "
    "agents présents), ou parce qu'il permettrait de recalculer un tel chiffre par "
    "différence avec les autres chiffres publiés. Un secret n'est jamais un zéro.";
const char stats_legend_quarter_fr[] =
    "« par trimestre » : dans une unité de moins de 20 agents présents depuis janvier (une "
    "région de moins de 40, et le département seul dans sa région), les "
    "ventilations (par nature, thème, suite…) et les interventions sur action sans point "
    "vérifié ne sont publiées que pour le trimestre, les autres totaux restant mensuels "
    "(une unité qui atteint ce seuil en cours d'année publie dès lors ses ventilations du "
    "mois, son cumul depuis janvier l'année suivante) ; un mois d'activité de quelques "
    "agents réparti en dix catégories ne donnerait que des cases d'un ou deux agents.";

int stats_table_find(const char *name)
{
	for (size_t i = 0; i < stats_catalogue_len; i++)
		if (strcmp(stats_catalogue[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *stats_dim_name(enum stats_dim d)
{
	static const char *const names[] = {
	    [STATS_DIM_NONE] = "",
	    [STATS_DIM_KIND] = "kind",
	    [STATS_DIM_THEME] = "theme",
	    [STATS_DIM_FOLLOWUP] = "followup",
	    [STATS_DIM_NAF] = "naf_section",
	    [STATS_DIM_BAND] = "headcount_band",
	    [STATS_DIM_ACTION] = "priority_action",
	};

	return (unsigned)d < STATS_DIM_COUNT ? names[d] : "";
}
