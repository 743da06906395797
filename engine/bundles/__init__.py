"""Process bundles: parsing and validating a bundle's files (BPMN, DMN, forms, ``model.json``), what its
extensions mean (forms, deadlines), and deploying a version.
"""
