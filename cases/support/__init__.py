"""Help beyond cash on a household file: non-cash help, 互助保障 mutual medical cover, 创业贷 interest subsidy."""
