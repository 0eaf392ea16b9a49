-- 0002: the default French nomenclatures (editable data). Top-level themes are those of
-- the national report; finer themes sit below them.
INSERT INTO theme (code, parent, label, position) VALUES
  ('travail_illegal', NULL, 'Travail illégal', 1),
  ('sante_securite', NULL, 'Santé et sécurité', 2),
  ('relations_collectives', NULL, 'Relations collectives', 3),
  ('relations_individuelles', NULL, 'Relations individuelles', 4),
  ('duree_salaires', NULL, 'Durée du travail et salaires', 5),
  ('emploi_formation', NULL, 'Emploi et formation', 6),
  ('ti_dissimulation', 'travail_illegal', 'Travail dissimulé', 1),
  ('ti_detachement', 'travail_illegal', 'Détachement de salariés', 2),
  ('ti_pret_illicite', 'travail_illegal', 'Prêt illicite de main-d''œuvre, marchandage', 3),
  ('ti_etrangers', 'travail_illegal', 'Emploi d''étrangers sans titre', 4),
  ('ss_chutes_hauteur', 'sante_securite', 'Chutes de hauteur', 1),
  ('ss_amiante', 'sante_securite', 'Amiante', 2),
  ('ss_chimique', 'sante_securite', 'Risque chimique (CMR)', 3),
  ('ss_machines', 'sante_securite', 'Machines et équipements de travail', 4),
  ('ss_evaluation_risques', 'sante_securite', 'Évaluation des risques (DUERP)', 5),
  ('ss_rps', 'sante_securite', 'Risques psychosociaux', 6),
  ('ss_electrique', 'sante_securite', 'Risque électrique', 7),
  ('ss_lieux_travail', 'sante_securite', 'Lieux de travail, hygiène', 8),
  ('ss_vehicules', 'sante_securite', 'Circulation, manutention, véhicules', 9),
  ('rc_cse', 'relations_collectives', 'Comité social et économique', 1),
  ('rc_syndical', 'relations_collectives', 'Droit syndical', 2),
  ('rc_negociation', 'relations_collectives', 'Négociation collective', 3),
  ('ri_contrat', 'relations_individuelles', 'Contrat de travail', 1),
  ('ri_discrimination', 'relations_individuelles', 'Discrimination, égalité professionnelle', 2),
  ('ri_harcelement', 'relations_individuelles', 'Harcèlement', 3),
  ('ri_rupture', 'relations_individuelles', 'Rupture du contrat', 4),
  ('ds_duree', 'duree_salaires', 'Durée du travail, repos', 1),
  ('ds_salaire', 'duree_salaires', 'Salaire minimum, paiement du salaire', 2),
  ('ds_decompte', 'duree_salaires', 'Décompte du temps de travail', 3),
  ('ef_apprentissage', 'emploi_formation', 'Apprentissage, jeunes', 1),
  ('ef_formation', 'emploi_formation', 'Formation professionnelle', 2),
  ('ef_handicap', 'emploi_formation', 'Emploi des travailleurs handicapés', 3);

INSERT INTO intervention_kind (code, label, on_site_default, position) VALUES
  ('controle_site', 'Contrôle sur site', 1, 1),
  ('controle_pieces', 'Contrôle sur pièces', 0, 2),
  ('enquete_at', 'Enquête accident du travail', 1, 3),
  ('enquete_mp', 'Enquête maladie professionnelle', 0, 4),
  ('enquete_plainte', 'Enquête sur plainte ou signalement', 0, 5),
  ('reunion_irp', 'Réunion d''instance représentative du personnel', 1, 6),
  ('examen_demande', 'Examen de demande, décision', 0, 7);

INSERT INTO followup_kind (code, label, sanction, position) VALUES
  ('lettre_observations', 'Lettre d''observations', 0, 1),
  ('mise_en_demeure', 'Mise en demeure', 0, 2),
  ('arret_travaux', 'Arrêt temporaire de travaux ou d''activité', 1, 3),
  ('decision_administrative', 'Décision administrative', 0, 4),
  ('rapport_amende', 'Rapport en vue d''une amende administrative', 1, 5),
  ('proces_verbal', 'Procès-verbal', 1, 6),
  ('signalement_procureur', 'Signalement au procureur (article 40)', 1, 7),
  ('transmission', 'Transmission à un autre service', 0, 8);
