*SENSE:Maximize
NAME          healthplan
ROWS
 N  OBJ
 L  amb_capacity_0
 L  amb_station_0_0
 L  amb_capacity_3
 L  amb_capacity_5
 L  amb_station_5_0
 L  amb_cover_0_0
 L  amb_cover_1_0
 L  amb_cover_2_0
 L  amb_cover_3_0
 L  cover_fever_0_0
 L  cover_fever_1_0
 L  cover_fever_3_0
 L  cover_blood_1_0
 L  cover_secondary_1_0
 G  std_fever_clinic_mandate_0
 G  std_blood_min_points_0
 L  budget_total
 L  hold_shortfall
COLUMNS
    amb_cov_0_3_0  amb_cover_0_0   1.000000000000e+00
    amb_cov_0_3_0  OBJ        5.098909935460e+02
    amb_cov_1_2_0  amb_cover_1_0   1.000000000000e+00
    amb_cov_1_2_0  OBJ        2.244989471469e+02
    amb_cov_1_3_0  amb_cover_1_0   1.000000000000e+00
    amb_cov_1_3_0  OBJ        1.120063875255e+02
    amb_cov_2_2_0  amb_cover_2_0   1.000000000000e+00
    amb_cov_2_2_0  OBJ        2.229989541815e+02
    amb_cov_2_3_0  amb_cover_2_0   1.000000000000e+00
    amb_cov_2_3_0  OBJ        1.112580152258e+02
    amb_cov_3_3_0  amb_cover_3_0   1.000000000000e+00
    amb_cov_3_3_0  OBJ        3.262903226801e+02
    MARK      'MARKER'                 'INTORG'
    amb_np_0_0  amb_capacity_0   1.000000000000e+00
    amb_np_0_0  amb_station_0_0   1.000000000000e+00
    amb_np_0_0  amb_cover_1_0  -1.000000000000e+00
    amb_np_0_0  budget_total   3.500000000000e+01
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    amb_np_3_0  amb_capacity_3   1.000000000000e+00
    amb_np_3_0  amb_cover_0_0  -1.000000000000e+00
    amb_np_3_0  amb_cover_1_0  -1.000000000000e+00
    amb_np_3_0  budget_total   3.500000000000e+01
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    amb_np_5_0  amb_capacity_5   1.000000000000e+00
    amb_np_5_0  amb_station_5_0   1.000000000000e+00
    amb_np_5_0  amb_cover_2_0  -1.000000000000e+00
    amb_np_5_0  amb_cover_3_0  -1.000000000000e+00
    amb_np_5_0  budget_total   3.500000000000e+01
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    amb_ord_0_0  amb_capacity_0   1.000000000000e+00
    amb_ord_0_0  amb_station_0_0   1.000000000000e+00
    amb_ord_0_0  amb_cover_1_0  -1.000000000000e+00
    amb_ord_0_0  budget_total   2.500000000000e+01
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    amb_ord_3_0  amb_capacity_3   1.000000000000e+00
    amb_ord_3_0  amb_cover_0_0  -1.000000000000e+00
    amb_ord_3_0  amb_cover_1_0  -1.000000000000e+00
    amb_ord_3_0  budget_total   2.500000000000e+01
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    amb_ord_5_0  amb_capacity_5   1.000000000000e+00
    amb_ord_5_0  amb_station_5_0   1.000000000000e+00
    amb_ord_5_0  amb_cover_2_0  -1.000000000000e+00
    amb_ord_5_0  amb_cover_3_0  -1.000000000000e+00
    amb_ord_5_0  budget_total   2.500000000000e+01
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    amb_station_0_0  amb_station_0_0  -1.000000000000e+00
    amb_station_0_0  budget_total   1.000000000000e+02
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    amb_station_5_0  amb_station_5_0  -1.000000000000e+00
    amb_station_5_0  budget_total   1.000000000000e+02
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    blood_1_0  std_blood_min_points_0   1.000000000000e+00
    blood_1_0  budget_total   8.000000000000e+01
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    blood_4_0  std_blood_min_points_0   1.000000000000e+00
    blood_4_0  budget_total   8.000000000000e+01
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    blood_5_0  cover_blood_1_0  -1.000000000000e+00
    blood_5_0  std_blood_min_points_0   1.000000000000e+00
    blood_5_0  budget_total   8.000000000000e+01
    MARK      'MARKER'                 'INTEND'
    cover_blood_1_0  cover_blood_1_0   1.000000000000e+00
    cover_blood_1_0  OBJ        2.616000000000e+03
    cover_fever_0_0  cover_fever_0_0   1.000000000000e+00
    cover_fever_0_0  OBJ        4.088000000000e+03
    cover_fever_1_0  cover_fever_1_0   1.000000000000e+00
    cover_fever_1_0  OBJ        8.980000000000e+02
    cover_fever_3_0  cover_fever_3_0   1.000000000000e+00
    cover_fever_3_0  OBJ        3.036000000000e+03
    cover_secondary_1_0  cover_secondary_1_0   1.000000000000e+00
    cover_secondary_1_0  OBJ        3.928000000000e+03
    MARK      'MARKER'                 'INTORG'
    fever_clinic_0_0  cover_fever_1_0  -1.000000000000e+00
    fever_clinic_0_0  std_fever_clinic_mandate_0   1.000000000000e+00
    fever_clinic_0_0  budget_total   3.000000000000e+02
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    fever_clinic_1_0  std_fever_clinic_mandate_0   1.000000000000e+00
    fever_clinic_1_0  budget_total   3.000000000000e+02
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    fever_room_2_0  cover_fever_0_0  -1.000000000000e+00
    fever_room_2_0  cover_fever_3_0  -1.000000000000e+00
    fever_room_2_0  budget_total   6.000000000000e+01
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    fever_room_3_0  cover_fever_0_0  -1.000000000000e+00
    fever_room_3_0  cover_fever_1_0  -1.000000000000e+00
    fever_room_3_0  budget_total   6.000000000000e+01
    MARK      'MARKER'                 'INTEND'
    short_blood_min_points_0  std_blood_min_points_0   1.000000000000e+00
    short_blood_min_points_0  hold_shortfall   1.000000000000e+00
    short_fever_clinic_mandate_0  std_fever_clinic_mandate_0   1.000000000000e+00
    short_fever_clinic_mandate_0  hold_shortfall   1.000000000000e+00
    MARK      'MARKER'                 'INTORG'
    sub_2_0   cover_secondary_1_0  -1.000000000000e+00
    sub_2_0   budget_total   4.000000000000e+02
    MARK      'MARKER'                 'INTEND'
RHS
    RHS       amb_capacity_0   1.000000000000e+00
    RHS       amb_station_0_0   0.000000000000e+00
    RHS       amb_capacity_3   1.000000000000e+00
    RHS       amb_capacity_5   1.000000000000e+00
    RHS       amb_station_5_0   0.000000000000e+00
    RHS       amb_cover_0_0   0.000000000000e+00
    RHS       amb_cover_1_0   0.000000000000e+00
    RHS       amb_cover_2_0   0.000000000000e+00
    RHS       amb_cover_3_0   0.000000000000e+00
    RHS       cover_fever_0_0   0.000000000000e+00
    RHS       cover_fever_1_0   0.000000000000e+00
    RHS       cover_fever_3_0   0.000000000000e+00
    RHS       cover_blood_1_0   0.000000000000e+00
    RHS       cover_secondary_1_0   0.000000000000e+00
    RHS       std_fever_clinic_mandate_0   2.000000000000e+00
    RHS       std_blood_min_points_0   2.000000000000e+00
    RHS       budget_total   7.000000000000e+02
    RHS       hold_shortfall   1.000001100000e+00
BOUNDS
 UP BND       amb_cov_0_3_0   1.000000000000e+00
 UP BND       amb_cov_1_2_0   1.000000000000e+00
 UP BND       amb_cov_1_3_0   1.000000000000e+00
 UP BND       amb_cov_2_2_0   1.000000000000e+00
 UP BND       amb_cov_2_3_0   1.000000000000e+00
 UP BND       amb_cov_3_3_0   1.000000000000e+00
 BV BND       amb_np_0_0
 BV BND       amb_np_3_0
 BV BND       amb_np_5_0
 BV BND       amb_ord_0_0
 BV BND       amb_ord_3_0
 BV BND       amb_ord_5_0
 BV BND       amb_station_0_0
 BV BND       amb_station_5_0
 BV BND       blood_1_0
 BV BND       blood_4_0
 BV BND       blood_5_0
 UP BND       cover_blood_1_0   1.000000000000e+00
 UP BND       cover_fever_0_0   1.000000000000e+00
 UP BND       cover_fever_1_0   1.000000000000e+00
 UP BND       cover_fever_3_0   1.000000000000e+00
 UP BND       cover_secondary_1_0   1.000000000000e+00
 BV BND       fever_clinic_0_0
 BV BND       fever_clinic_1_0
 BV BND       fever_room_2_0
 BV BND       fever_room_3_0
 BV BND       sub_2_0 
ENDATA
