/* sirene-columns: the INSEE columns Constat keeps (see sirene-columns.h). */
#include "sirene/sirene-columns.h"

#include "domain/model.h"

#define EST_TEXT(name, member) {name, SIRENE_COL_TEXT, offsetof(struct establishment, member)}
#define LU_TEXT(name, member) {name, SIRENE_COL_TEXT, offsetof(struct legal_unit, member)}

const struct sirene_column sirene_est_columns[SIRENE_EST_COLUMNS] = {
	EST_TEXT("siren", siren),
	EST_TEXT("nic", nic),
	EST_TEXT("siret", siret),
	EST_TEXT("statutDiffusionEtablissement", diffusion),
	EST_TEXT("dateCreationEtablissement", created_on),
	EST_TEXT("trancheEffectifsEtablissement", headcount_band),
	{"etablissementSiege", SIRENE_COL_BOOL, offsetof(struct establishment, head_office)},
	EST_TEXT("complementAdresseEtablissement", address_extra),
	EST_TEXT("numeroVoieEtablissement", street_number),
	EST_TEXT("indiceRepetitionEtablissement", street_repeat),
	EST_TEXT("typeVoieEtablissement", street_type),
	EST_TEXT("libelleVoieEtablissement", street_name),
	EST_TEXT("codePostalEtablissement", postcode),
	EST_TEXT("libelleCommuneEtablissement", commune_name),
	EST_TEXT("codeCommuneEtablissement", commune_code),
	EST_TEXT("etatAdministratifEtablissement", state),
	EST_TEXT("enseigne1Etablissement", enseigne1),
	EST_TEXT("enseigne2Etablissement", enseigne2),
	EST_TEXT("enseigne3Etablissement", enseigne3),
	EST_TEXT("denominationUsuelleEtablissement", usual_name),
	EST_TEXT("activitePrincipaleEtablissement", naf),
	EST_TEXT("nomenclatureActivitePrincipaleEtablissement", naf_nomenclature),
};

const struct sirene_column sirene_lu_columns[SIRENE_LU_COLUMNS] = {
	LU_TEXT("siren", siren),
	LU_TEXT("sigleUniteLegale", acronym),
	LU_TEXT("prenom1UniteLegale", first_name),
	LU_TEXT("categorieEntreprise", company_category),
	LU_TEXT("etatAdministratifUniteLegale", state),
	LU_TEXT("nomUniteLegale", last_name),
	LU_TEXT("denominationUniteLegale", name),
	LU_TEXT("categorieJuridiqueUniteLegale", legal_category),
	LU_TEXT("nicSiegeUniteLegale", head_nic),
};
