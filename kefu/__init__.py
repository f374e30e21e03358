"""Kefu (客服): the operations system of a Chinese customer-service center."""
