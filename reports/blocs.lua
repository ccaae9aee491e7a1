-- Filtre pandoc (et Quarto) des rapports : les blocs « notes » (Champ, Source, Lecture, secret
-- statistique), « encadre » (méthode en bref) et « graphique » (une figure et ses notes, à garder
-- sur une même page) deviennent, en Typst, des appels aux fonctions notes[...], encadre[...] et
-- graphique[...] du modèle rapport.typst. En HTML, ce sont des classes (bilan.css) ; en Word, des
-- styles de paragraphe (custom-style, reference.docx).
local blocs = { notes = true, encadre = true, graphique = true }

function Div(el)
  if not FORMAT:match("typst") then
    return nil
  end
  for _, classe in ipairs(el.classes) do
    if blocs[classe] then
      local contenu = { pandoc.RawBlock("typst", "#" .. classe .. "[") }
      for _, bloc in ipairs(el.content) do
        table.insert(contenu, bloc)
      end
      table.insert(contenu, pandoc.RawBlock("typst", "]"))
      return contenu
    end
  end
end
