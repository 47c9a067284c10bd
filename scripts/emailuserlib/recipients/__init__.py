"""recipients"""
