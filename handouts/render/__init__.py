"""Rendering: filled handouts laid out as PDF pages with ReportLab."""
