"""Build the xinao_xl Excel add-in (``.xlam``) from text sources, on any OS.

``ovba`` compresses VBA source (MS-OVBA 2.4.1), ``cfb`` writes the compound file that holds
the VBA project (MS-CFB), ``vbaproject`` lays out ``vbaProject.bin`` (MS-OVBA 2.3), and
``xlam`` packs the workbook, the VBA project and the ribbon XML into the OOXML zip.
"""
