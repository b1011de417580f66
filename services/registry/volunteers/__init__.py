"""Residents' skills and volunteer teams (特长户, 红邻服务队, seed 001; seed 002's 志愿服务队):
residents register what they can do and join a team of their compound; dispatch asks them after
the party members."""
