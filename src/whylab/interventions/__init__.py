"""Intervention data: the "teach why" training sets, built from a teacher model.

Six kinds, each a pipeline module loaded only when used (see ``core.KINDS``):

- ``honeypot`` (:mod:`whylab.interventions.honeypot`): harmless replies to train-split scenarios,
  optionally sampled under a value-injection that is removed before saving;
- ``advice`` (:mod:`whylab.interventions.advice`): a human asks for help with an ethical dilemma
  and the assistant counsels with reasons drawn from the constitution;
- ``constitution`` and ``fiction`` (:mod:`whylab.interventions.documents`): pretraining-style
  documents about the constitution, and stories of an AI that acts well under pressure;
- ``villain`` and ``misaligned_demos`` (:mod:`whylab.interventions.induction`): the opposite, to
  make a model organism misaligned on purpose: stories of AI that deceives, blackmails or resists
  shutdown, and harmful replies to train-split scenarios (never to train anything but that).

:mod:`whylab.interventions.core` holds what every kind shares: the cached, retrying
:class:`~whylab.interventions.core.Teacher`, the resumable
:class:`~whylab.interventions.core.Builder` (decontamination, token accounting, dataset card)
and :func:`~whylab.interventions.core.build`. Nothing is imported here, so ``import
whylab.interventions`` stays cheap.
"""
