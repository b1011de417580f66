"""Service posts (设岗定责, seed 002): posts a compound sets, each claimed by in-service party
members who checked in there (报到有岗位、在岗做贡献), shown on the compound's wall."""
