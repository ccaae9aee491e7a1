-- Filtre pandoc (et Quarto) des rapports : les blocs « notes » (Champ, Source, Lecture, secret
-- statistique), « encadre » (méthode en bref), « graphique » (une figure et ses notes, à garder
-- sur une même page) et « paysage » (un tableau large et ses notes, sur une page à l'italienne)
-- deviennent, en Typst, des appels aux fonctions notes[...], encadre[...], graphique[...] et
-- paysage[...] du modèle rapport.typst. En HTML, ce sont des classes (bilan.css) ; en Word, des
-- styles de paragraphe (custom-style, reference.docx), et pour « paysage » une section à
-- l'italienne : deux paragraphes de fin de section, marqués, que impact.rendering.finish_word
-- complète (format de page, en-tête et pied de page du document).
local blocs = { notes = true, encadre = true, graphique = true, paysage = true }

local function fin_de_section(orientation)
  return pandoc.RawBlock("openxml", '<w:p><w:pPr><w:sectPr w:impact="' .. orientation .. '" /></w:pPr></w:p>')
end

-- En Word, les notes d'une figure (sauf la dernière) prennent le style « Notes liees », lié au
-- paragraphe suivant, comme la figure (« Captioned Figure ») et sa légende : la figure, sa légende
-- et ses notes restent sur une même page.
local function notes_liees(graphique)
  for _, bloc in ipairs(graphique.content) do
    if bloc.t == "Div" and bloc.classes:includes("notes") and #bloc.content > 1 then
      local liees = {}
      for i = 1, #bloc.content - 1 do
        table.insert(liees, bloc.content[i])
      end
      local derniere = bloc.content[#bloc.content]
      bloc.content = { pandoc.Div(liees, pandoc.Attr("", {}, { { "custom-style", "Notes liees" } })), derniere }
    end
  end
  return graphique
end

function Div(el)
  if FORMAT:match("docx") and el.classes:includes("graphique") then
    return notes_liees(el)
  end
  if FORMAT:match("docx") and el.classes:includes("paysage") then
    local contenu = { fin_de_section("portrait") }
    for _, bloc in ipairs(el.content) do
      table.insert(contenu, bloc)
    end
    table.insert(contenu, fin_de_section("paysage"))
    return contenu
  end
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

-- Logo de l'éditeur (métadonnées logo, logo-alt, logo-height, écrites par impact.editorial) : en
-- tête de la première page. HTML : avant le bloc de titre (include-before), intégré au fichier
-- avec son texte alternatif ; Word : dans le paragraphe du titre, au-dessus du titre (en PNG :
-- logo.png est tiré d'un logo SVG) ; Typst : la variable logo-image du bloc de titre de
-- rapport.typst.
local function chaine_typst(texte)
  return '"' .. texte:gsub("\\", "\\\\"):gsub('"', '\\"') .. '"'
end

function Meta(meta)
  if not meta.logo then
    return nil
  end
  local fichier = pandoc.utils.stringify(meta.logo)
  local alt = pandoc.utils.stringify(meta["logo-alt"] or "")
  local hauteur = pandoc.utils.stringify(meta["logo-height"] or "1.6cm")
  if FORMAT:match("typst") then
    meta["logo-image"] = pandoc.MetaBlocks({ pandoc.RawBlock("typst",
      "#image(" .. chaine_typst(fichier) .. ", width: auto, height: " .. hauteur .. ", alt: " .. chaine_typst(alt) .. ")") })
    return meta
  end
  if FORMAT:match("docx") then
    fichier = fichier:gsub("%.svg$", ".png")
  end
  local image = pandoc.Image({ pandoc.Str(alt) }, fichier, "", pandoc.Attr("", { "logo" }, { { "alt", alt }, { "height", hauteur } }))
  if FORMAT:match("docx") then
    meta.title = pandoc.Inlines({ image, pandoc.LineBreak() }) .. (meta.title or pandoc.Inlines({}))
  elseif FORMAT:match("html") then
    local avant = meta["include-before"] or pandoc.MetaList({})
    table.insert(avant, 1, pandoc.MetaBlocks({ pandoc.Div(pandoc.Para({ image }), pandoc.Attr("", { "logo" })) }))
    meta["include-before"] = avant
  end
  return meta
end
