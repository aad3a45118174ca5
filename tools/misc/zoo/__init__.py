"""Per-pair values of the config zoo, one table per method.

``pairs.py`` lists the pairs and what every method shares about them; each
other module is the table a method of :data:`mmlogitkd.methods.METHODS`
names as its ``pair_table``. A table is ``VALUES``, a dict keyed by pair name
(``'<teacher>_<student>'``) with one row per pair of ``pairs.PAIRS``; a row
is a dict of named fields:

* ``source`` (str): where the row's values come from, as
  ``repository@commit path`` (or "unofficial: ..." with the reason). Shown in
  the method's README next to the leaf.
* ``unofficial`` (bool, optional): no official config, log or published
  setting provides the row (default False).
* ``lr`` (float, optional): the pair's lr; default ``pairs.standard_lr``.
* ``batch`` (int, optional): the per-GPU batch, for a method whose loss
  depends on it (CKD). The leaf name then carries ``<gpus>xb<batch>``, and a
  batch other than the dataset's selects the ``_bs<batch>`` method and
  schedule bases.
* ``schedules`` (tuple, optional): the schedules shipped for the pair, the
  method's own recipe first (published results attach to it); default the
  table's ``SCHEDULES`` for the dataset, else the dataset's common schedule.
* any other field: a keyword argument of the method's loss, written into the
  leaf's ``model.distill_losses``.

``tools/misc/generate_zoo_configs.py`` writes the leaves from these tables.

Adding a method's per-pair table: declare the method in
``mmlogitkd/methods.py`` with ``pair_table='<name>'``; write
``tools/misc/zoo/<name>.py`` with a ``VALUES`` row for every pair of
``pairs.PAIRS`` (the generator fails on a missing one), each with its
``source``; write its method bases ``configs/_base_/methods/<key>_cifar100.py``
and ``<key>_in1k.py`` by hand; for a new folder, add its prose to
``readmes.py``; then run ``python tools/misc/generate_zoo_configs.py``.
"""
