"""A real PACS test bed (Orthanc behind nginx on loopback) and the data it serves."""
