"""The house's base, imported by every other package and importing none of them: the settings
both servers read (`motcua.settings`) and writing a file atomically (`motcua.atomic_file`)."""
