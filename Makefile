# Two commands for evaluators (README): `make demo` and `make test`. Both create the virtual
# environment on first use: a fresh machine needs nothing but Python >= 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installe
DEMO := sortie/demo

.PHONY: demo test lab benchmark docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

## Le travail principal, sur les données de démonstration intégrées.
demo: $(STAMP)
	rm -rf $(DEMO)/donnees
	$(BIN)/impact demo $(DEMO)/donnees --comparaison $(DEMO)/comparaison
	$(BIN)/impact valider $(DEMO)/donnees --rapport $(DEMO)/validation.csv
	$(BIN)/impact bilan $(DEMO)/donnees --annee 2024 --tous-territoires --out $(DEMO)/bilans
	$(BIN)/impact comparer $(DEMO)/donnees --annee 2024 --out $(DEMO)/bilans
	$(BIN)/impact effet $(DEMO)/donnees --comparaison $(DEMO)/comparaison/comparaison.csv --out $(DEMO)/bilans
	@echo "Bilans 2024 (HTML, Word, PDF) : $(DEMO)/bilans/2024/<territoire>/ ; comparaison : $(DEMO)/bilans/2024/comparaison/ ; étude : $(DEMO)/bilans/2024/etude_impact/ ; données : $(DEMO)/donnees"

## Les tests.
test: $(STAMP)
	$(BIN)/python -m pytest

## JupyterLab sur notebooks/, avec le noyau du projet enregistré.
lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	$(BIN)/python -m ipykernel install --sys-prefix --name impact --display-name "Python (impact)"
	$(BIN)/jupyter lab notebooks/

## Mesures de performance (voir benchmarks/README.md).
benchmark: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/validation.py
	$(BIN)/python benchmarks/indicators.py
	$(BIN)/python benchmarks/bilan.py
	$(BIN)/python benchmarks/masking.py

## Régénère data_templates/, les pages générées de docs/ et reports/reference.docx depuis le code.
docs: $(STAMP)
	$(BIN)/python -m impact.templates
	$(BIN)/python -m impact.indicators
	$(BIN)/python -m impact.reference_docx

clean:
	rm -rf $(VENV) sortie
