"""The PDF module (prostenhet/pdf.py, issue 12): any Unicode text prints (DejaVu Sans is
embedded), long documents run over several pages numbered "Sida N av M" with the footer on
each, empty sections render, and the download is a no-store attachment."""

import io
import logging

from pypdf import PdfReader

from prostenhet import pdf

UNICODE = "Åsa Öberg – ärende ȘTEFAN Ștefănescu, Юлия Иванова, Ελένη, Łódź"


def text_of(data):
    reader = PdfReader(io.BytesIO(data))
    return reader, [page.extract_text() for page in reader.pages]


def squeeze(text):
    return " ".join(text.split())


def test_swedish_and_other_unicode_text_prints():
    document = pdf.Document(
        title="Journal – Spiralen",
        subtitle="Utskrift för Åsa",
        meta=[("Klient", "Ștefan"), ("Utskriven av", "Örjan Åkesson")],
        sections=[pdf.Section("Anteckningar", items=[
            pdf.Item("2025-01-31 – Samtal", meta=[("Skriven av", "Юлия")],
                     text=UNICODE + "\nandra raden med å ä ö"),
            pdf.Item("Rättar anteckning från 2025-01-31", text="Rättelse: Ελένη", indent=True),
        ])],
        footer="Sekretess – OSL 26 kap.",
    )
    data = pdf.render(document)

    assert data.startswith(b"%PDF-")
    reader, pages = text_of(data)
    text = squeeze("\n".join(pages))
    for expected in ["Journal – Spiralen", "Utskrift för Åsa", "Klient: Ștefan",
                     "Utskriven av: Örjan Åkesson", "Skriven av: Юлия", squeeze(UNICODE),
                     "andra raden med å ä ö", "Rättelse: Ελένη", "Sekretess – OSL 26 kap.",
                     "Sida 1 av 1"]:
        assert expected in text, expected
    assert reader.metadata.title == "Journal – Spiralen"
    fonts = {str(font) for page in reader.pages
             for font in page["/Resources"]["/Font"].get_object().values()
             for font in [font.get_object()["/BaseFont"]]}
    assert any("DejaVuSans" in font for font in fonts), fonts


def test_many_items_run_over_several_numbered_pages_with_the_footer_on_each():
    items = [pdf.Item(f"Anteckning {n}", meta=[("Signerad", "ja")],
                      text=f"Text nummer {n}. " + "Ord " * 60) for n in range(60)]
    data = pdf.render(pdf.Document(title="Lång", sections=[pdf.Section("Alla", items=items)],
                                   footer="Sidfot här"))

    _reader, pages = text_of(data)
    total = len(pages)
    assert total >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Sida {number} av {total}" in page
        assert "Sidfot här" in page
    assert "Sida 2 av" in pages[1]
    whole = squeeze("\n".join(pages))
    assert "Text nummer 0." in whole and "Text nummer 59." in whole


def test_empty_sections_and_an_empty_document_render():
    data = pdf.render(pdf.Document(title="Tomt", sections=[
        pdf.Section("Inga anteckningar"), pdf.Section("Med not", note="Inget att visa."),
    ]))
    _reader, pages = text_of(data)
    text = "\n".join(pages)
    assert "Inga anteckningar" in text and "Med not" in text and "Inget att visa." in text
    assert text_of(pdf.render(pdf.Document(title="")))[1]


def test_response_is_a_no_store_attachment_and_logs_no_text(caplog):
    document = pdf.Document(title="Hemlig titel", sections=[pdf.Section("S", items=[
        pdf.Item("Rubrik", text="Känslig text om Åsa")])])
    with caplog.at_level(logging.DEBUG):
        response = pdf.response(document, "journal-spiralen-2025-01-31.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="journal-spiralen-2025-01-31.pdf"')
    assert response["Cache-Control"] == "no-store"
    assert "Känslig text om Åsa" in squeeze("\n".join(text_of(response.content)[1]))
    assert "Åsa" not in caplog.text and "Hemlig" not in caplog.text


def test_nothing_of_the_document_reaches_the_logs(caplog):
    """Characters the font lacks (or embeds) are not listed in the log."""
    caplog.set_level(logging.DEBUG)
    secret = "Hemliga 中文 مرحبا Привет"
    pdf.render(pdf.Document(title=secret, sections=[
        pdf.Section(heading=secret, items=[pdf.Item(heading=secret, text=secret * 3)]),
    ]))
    logged = " ".join(record.getMessage() for record in caplog.records)
    for char in "中文مرحبا":
        assert char not in logged


def test_a_long_text_wraps_within_the_page_and_keeps_every_word():
    words = [f"ord{index}" for index in range(600)] + ["x" * 400]
    document = pdf.Document(title="Lång", sections=[
        pdf.Section(heading="Del", items=[pdf.Item(heading="Text", text=" ".join(words))]),
    ])
    _reader, pages = text_of(pdf.render(document))
    text = "".join(pages)
    assert all(word in text for word in ("ord0", "ord299", "ord599"))
    assert text.replace("\n", "").count("x") >= 400


def test_a_character_the_fonts_lack_prints_as_a_box_not_as_nothing():
    _reader, pages = text_of(pdf.render(pdf.Document(title="Namn: 王芳 Ana")))
    assert "□□ Ana" in pages[0]
