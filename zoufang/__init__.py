"""Zoufang (走访): the 大走访 · 开门评 campaign system."""
