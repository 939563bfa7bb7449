"""NLU components tried by `make eval-pipelines` (eval/pipelines/) and not shipped in config.yml."""
