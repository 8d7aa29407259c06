"""Printable worksheets, answer keys, network diagrams and Moodle exports of exercise variants."""
