"""scaffolds"""
