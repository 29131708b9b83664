"""The matter catalog (事项目录), by concern.

- ``io``: import a checked catalog into a store (all-or-nothing, versioned) and export it;
- ``query``: what the screens read (departments, matters, requirements, guides, bundles);
- ``files``: read a ``.json``/``.xlsx`` file all-or-nothing, write an export;
- ``workbook``: the XLSX layout with the national 实施清单 field names;
- ``storable``: what a valid catalog holds that the database could not store;
- ``lint``: findings for a file or a store's catalog;
- ``guides``: service guide PDFs and the static publication of the catalog.
"""
