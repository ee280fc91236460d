*SENSE:Minimize
NAME          healthplan
ROWS
 N  OBJ
 L  amb_capacity_0
 L  amb_capacity_3
 L  amb_station_3_0
 L  amb_capacity_5
 L  amb_station_5_0
 L  amb_cover_1_0
 L  amb_cover_2_0
 L  amb_cover_4_0
 L  amb_cover_5_0
 L  cover_fever_1_0
 L  cover_fever_3_0
 L  cover_fever_4_0
 L  cover_fever_5_0
 L  cover_blood_0_0
 L  cover_blood_1_0
 G  std_amb_fleet_ratio_0
 G  std_amb_np_share_0
 G  std_fever_clinic_mandate_0
 G  std_fever_room_mandate_0
 G  std_blood_min_points_0
 G  std_subcentre_target_0
 L  budget_total
 L  hold_shortfall
 G  hold_coverage
COLUMNS
    amb_cov_1_2_0  amb_cover_1_0   1.000000000000e+00
    amb_cov_1_2_0  hold_coverage   1.203226043324e+03
    amb_cov_2_2_0  amb_cover_2_0   1.000000000000e+00
    amb_cov_2_2_0  hold_coverage   1.640718447402e+03
    amb_cov_4_1_0  amb_cover_4_0   1.000000000000e+00
    amb_cov_4_1_0  hold_coverage   4.687269899274e+03
    amb_cov_4_2_0  amb_cover_4_0   1.000000000000e+00
    amb_cov_4_2_0  hold_coverage   2.710794628616e+03
    amb_cov_5_1_0  amb_cover_5_0   1.000000000000e+00
    amb_cov_5_1_0  hold_coverage   4.457882095639e+03
    amb_cov_5_2_0  amb_cover_5_0   1.000000000000e+00
    amb_cov_5_2_0  hold_coverage   2.578132494937e+03
    MARK      'MARKER'                 'INTORG'
    amb_np_0_0  amb_capacity_0   1.000000000000e+00
    amb_np_0_0  amb_cover_1_0  -1.000000000000e+00
    amb_np_0_0  std_amb_fleet_ratio_0   1.000000000000e+00
    amb_np_0_0  std_amb_np_share_0   6.000000000000e-01
    amb_np_0_0  budget_total   3.500000000000e+01
    amb_np_0_0  OBJ        3.500000000000e+01
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    amb_np_3_0  amb_capacity_3   1.000000000000e+00
    amb_np_3_0  amb_station_3_0   1.000000000000e+00
    amb_np_3_0  amb_cover_1_0  -1.000000000000e+00
    amb_np_3_0  amb_cover_2_0  -1.000000000000e+00
    amb_np_3_0  amb_cover_4_0  -1.000000000000e+00
    amb_np_3_0  std_amb_fleet_ratio_0   1.000000000000e+00
    amb_np_3_0  std_amb_np_share_0   6.000000000000e-01
    amb_np_3_0  budget_total   3.500000000000e+01
    amb_np_3_0  OBJ        3.500000000000e+01
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    amb_np_5_0  amb_capacity_5   1.000000000000e+00
    amb_np_5_0  amb_station_5_0   1.000000000000e+00
    amb_np_5_0  amb_cover_1_0  -1.000000000000e+00
    amb_np_5_0  amb_cover_2_0  -1.000000000000e+00
    amb_np_5_0  amb_cover_5_0  -1.000000000000e+00
    amb_np_5_0  std_amb_fleet_ratio_0   1.000000000000e+00
    amb_np_5_0  std_amb_np_share_0   6.000000000000e-01
    amb_np_5_0  budget_total   3.500000000000e+01
    amb_np_5_0  OBJ        3.500000000000e+01
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    amb_ord_0_0  amb_capacity_0   1.000000000000e+00
    amb_ord_0_0  amb_cover_1_0  -1.000000000000e+00
    amb_ord_0_0  std_amb_fleet_ratio_0   1.000000000000e+00
    amb_ord_0_0  std_amb_np_share_0  -4.000000000000e-01
    amb_ord_0_0  budget_total   2.500000000000e+01
    amb_ord_0_0  OBJ        2.500000000000e+01
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    amb_ord_3_0  amb_capacity_3   1.000000000000e+00
    amb_ord_3_0  amb_station_3_0   1.000000000000e+00
    amb_ord_3_0  amb_cover_1_0  -1.000000000000e+00
    amb_ord_3_0  amb_cover_2_0  -1.000000000000e+00
    amb_ord_3_0  amb_cover_4_0  -1.000000000000e+00
    amb_ord_3_0  std_amb_fleet_ratio_0   1.000000000000e+00
    amb_ord_3_0  std_amb_np_share_0  -4.000000000000e-01
    amb_ord_3_0  budget_total   2.500000000000e+01
    amb_ord_3_0  OBJ        2.500000000000e+01
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    amb_ord_5_0  amb_capacity_5   1.000000000000e+00
    amb_ord_5_0  amb_station_5_0   1.000000000000e+00
    amb_ord_5_0  amb_cover_1_0  -1.000000000000e+00
    amb_ord_5_0  amb_cover_2_0  -1.000000000000e+00
    amb_ord_5_0  amb_cover_5_0  -1.000000000000e+00
    amb_ord_5_0  std_amb_fleet_ratio_0   1.000000000000e+00
    amb_ord_5_0  std_amb_np_share_0  -4.000000000000e-01
    amb_ord_5_0  budget_total   2.500000000000e+01
    amb_ord_5_0  OBJ        2.500000000000e+01
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    amb_station_3_0  amb_station_3_0  -1.000000000000e+00
    amb_station_3_0  budget_total   1.000000000000e+02
    amb_station_3_0  OBJ        1.000000000000e+02
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    amb_station_5_0  amb_station_5_0  -1.000000000000e+00
    amb_station_5_0  budget_total   1.000000000000e+02
    amb_station_5_0  OBJ        1.000000000000e+02
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    blood_1_0  cover_blood_1_0  -1.000000000000e+00
    blood_1_0  std_blood_min_points_0   1.000000000000e+00
    blood_1_0  budget_total   8.000000000000e+01
    blood_1_0  OBJ        8.000000000000e+01
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    blood_5_0  cover_blood_0_0  -1.000000000000e+00
    blood_5_0  std_blood_min_points_0   1.000000000000e+00
    blood_5_0  budget_total   8.000000000000e+01
    blood_5_0  OBJ        8.000000000000e+01
    MARK      'MARKER'                 'INTEND'
    cover_blood_0_0  cover_blood_0_0   1.000000000000e+00
    cover_blood_0_0  hold_coverage   3.406000000000e+03
    cover_blood_1_0  cover_blood_1_0   1.000000000000e+00
    cover_blood_1_0  hold_coverage   1.351800000000e+04
    cover_fever_1_0  cover_fever_1_0   1.000000000000e+00
    cover_fever_1_0  hold_coverage   3.364000000000e+03
    cover_fever_3_0  cover_fever_3_0   1.000000000000e+00
    cover_fever_3_0  hold_coverage   5.558000000000e+03
    cover_fever_4_0  cover_fever_4_0   1.000000000000e+00
    cover_fever_4_0  hold_coverage   1.373000000000e+03
    cover_fever_5_0  cover_fever_5_0   1.000000000000e+00
    cover_fever_5_0  hold_coverage   3.472000000000e+03
    MARK      'MARKER'                 'INTORG'
    fever_clinic_0_0  std_fever_clinic_mandate_0   1.000000000000e+00
    fever_clinic_0_0  budget_total   3.000000000000e+02
    fever_clinic_0_0  OBJ        3.000000000000e+02
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    fever_clinic_1_0  cover_fever_1_0  -1.000000000000e+00
    fever_clinic_1_0  cover_fever_5_0  -1.000000000000e+00
    fever_clinic_1_0  std_fever_clinic_mandate_0   1.000000000000e+00
    fever_clinic_1_0  budget_total   3.000000000000e+02
    fever_clinic_1_0  OBJ        3.000000000000e+02
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    fever_room_2_0  std_fever_room_mandate_0   1.000000000000e+00
    fever_room_2_0  budget_total   6.000000000000e+01
    fever_room_2_0  OBJ        6.000000000000e+01
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    fever_room_3_0  cover_fever_1_0  -1.000000000000e+00
    fever_room_3_0  cover_fever_3_0  -1.000000000000e+00
    fever_room_3_0  std_fever_room_mandate_0   1.000000000000e+00
    fever_room_3_0  budget_total   6.000000000000e+01
    fever_room_3_0  OBJ        6.000000000000e+01
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    fever_room_4_0  cover_fever_4_0  -1.000000000000e+00
    fever_room_4_0  std_fever_room_mandate_0   1.000000000000e+00
    fever_room_4_0  budget_total   6.000000000000e+01
    fever_room_4_0  OBJ        6.000000000000e+01
    MARK      'MARKER'                 'INTEND'
    short_amb_fleet_ratio_0  std_amb_fleet_ratio_0   1.000000000000e+00
    short_amb_fleet_ratio_0  hold_shortfall   1.000000000000e+00
    short_amb_np_share_0  std_amb_np_share_0   1.000000000000e+00
    short_amb_np_share_0  hold_shortfall   1.000000000000e+00
    short_subcentre_target_0  std_subcentre_target_0   1.000000000000e+00
    short_subcentre_target_0  hold_shortfall   1.000000000000e+00
    MARK      'MARKER'                 'INTORG'
    sub_2_0   std_subcentre_target_0   1.000000000000e+00
    sub_2_0   budget_total   4.000000000000e+02
    sub_2_0   OBJ        4.000000000000e+02
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    sub_3_0   std_subcentre_target_0   1.000000000000e+00
    sub_3_0   budget_total   4.000000000000e+02
    sub_3_0   OBJ        4.000000000000e+02
    MARK      'MARKER'                 'INTEND'
RHS
    RHS       amb_capacity_0   1.000000000000e+00
    RHS       amb_capacity_3   1.000000000000e+00
    RHS       amb_station_3_0   0.000000000000e+00
    RHS       amb_capacity_5   1.000000000000e+00
    RHS       amb_station_5_0   0.000000000000e+00
    RHS       amb_cover_1_0   0.000000000000e+00
    RHS       amb_cover_2_0   0.000000000000e+00
    RHS       amb_cover_4_0   0.000000000000e+00
    RHS       amb_cover_5_0   0.000000000000e+00
    RHS       cover_fever_1_0   0.000000000000e+00
    RHS       cover_fever_3_0   0.000000000000e+00
    RHS       cover_fever_4_0   0.000000000000e+00
    RHS       cover_fever_5_0   0.000000000000e+00
    RHS       cover_blood_0_0   0.000000000000e+00
    RHS       cover_blood_1_0   0.000000000000e+00
    RHS       std_amb_fleet_ratio_0   0.000000000000e+00
    RHS       std_amb_np_share_0   1.200000000000e+00
    RHS       std_fever_clinic_mandate_0   2.000000000000e+00
    RHS       std_fever_room_mandate_0   3.000000000000e+00
    RHS       std_blood_min_points_0   0.000000000000e+00
    RHS       std_subcentre_target_0   0.000000000000e+00
    RHS       budget_total   1.300000000000e+03
    RHS       hold_shortfall   1.100000000000e-06
    RHS       hold_coverage   4.268005380544e+04
BOUNDS
 UP BND       amb_cov_1_2_0   1.000000000000e+00
 UP BND       amb_cov_2_2_0   1.000000000000e+00
 UP BND       amb_cov_4_1_0   1.000000000000e+00
 UP BND       amb_cov_4_2_0   1.000000000000e+00
 UP BND       amb_cov_5_1_0   1.000000000000e+00
 UP BND       amb_cov_5_2_0   1.000000000000e+00
 BV BND       amb_np_0_0
 BV BND       amb_np_3_0
 BV BND       amb_np_5_0
 BV BND       amb_ord_0_0
 BV BND       amb_ord_3_0
 BV BND       amb_ord_5_0
 BV BND       amb_station_3_0
 BV BND       amb_station_5_0
 BV BND       blood_1_0
 BV BND       blood_5_0
 UP BND       cover_blood_0_0   1.000000000000e+00
 UP BND       cover_blood_1_0   1.000000000000e+00
 UP BND       cover_fever_1_0   1.000000000000e+00
 UP BND       cover_fever_3_0   1.000000000000e+00
 UP BND       cover_fever_4_0   1.000000000000e+00
 UP BND       cover_fever_5_0   1.000000000000e+00
 BV BND       fever_clinic_0_0
 BV BND       fever_clinic_1_0
 BV BND       fever_room_2_0
 BV BND       fever_room_3_0
 BV BND       fever_room_4_0
 BV BND       sub_2_0 
 BV BND       sub_3_0 
ENDATA
