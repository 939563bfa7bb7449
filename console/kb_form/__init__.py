"""The procedure form of the KB admins: its fields read from the KB schema (`fields`), the posted
form turned into a record's data (`parse`), the loader's problems shown next to their fields
(`errors`), and every Vietnamese word of it (`labels`). The pages are console/web/kb_edit_views.py."""
